"""Posting to the server's staff channels (moderation log, escalations) safely."""

from __future__ import annotations

import logging

import discord

from bot.interactions import NO_PINGS
from bot.storage.guilds import GuildConfig

log = logging.getLogger(__name__)


def staff_channel(
    guild: discord.Guild, config: GuildConfig | None, kind: str = "log"
) -> discord.TextChannel | None:
    if config is None:
        return None
    channel_id = config.log_channel_id if kind == "log" else config.escalation_channel_id
    channel = guild.get_channel(channel_id) if channel_id else None
    return channel if isinstance(channel, discord.TextChannel) else None


async def post_log(
    guild: discord.Guild,
    config: GuildConfig | None,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
) -> bool:
    """Record something in the moderation log; never pings. False if it couldn't be posted
    (deleted channel, missing permission): the caller's action still stands."""
    channel = staff_channel(guild, config, "log")
    if channel is None:
        log.warning("no moderation-log channel to post to", extra={"guild_id": guild.id})
        return False
    try:
        await channel.send(content, embed=embed, allowed_mentions=NO_PINGS)
        return True
    except discord.HTTPException as exc:
        log.warning(
            "could not post to the moderation log",
            extra={"guild_id": guild.id, "status": exc.status, "code": exc.code},
        )
        return False
