"""Handing check-in text and answers to crisis support (through its api), when loaded."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from cogs.crisis import api as crisis_api

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger these records had before the module was split out (log filters use it).
log = logging.getLogger("cogs.checkins.prompts")


async def screen_with_crisis(
    bot: LanternBot,
    guild_id: int,
    user_id: int,
    text: str,
    force_level: str | None,
    reason: str | None = None,
) -> None:
    """Hand text (or risky answers, with `reason` saying which) to crisis support; skipped
    when it isn't loaded."""
    if not crisis_api.available(bot):
        log.debug("crisis cog not loaded; check-in not screened", extra={"user_id": user_id})
        return
    guild = bot.get_guild(guild_id)
    if guild is None:
        return
    member = guild.get_member(user_id)
    if member is None:
        try:
            member = await guild.fetch_member(user_id)
        except discord.HTTPException:
            return
    await crisis_api.screen(
        bot, member, text, source="checkin", jump_url=None, force_level=force_level, reason=reason
    )
