"""Sync application commands only when the tree changed since the last sync.

Discord rate-limits command syncs hard; restarting the bot many times a day (deploys,
crashes) must not sync each time. The hash of what we would send is kept per scope.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)


def tree_digest(bot: LanternBot, guild: discord.abc.Snowflake | None) -> str:
    payload = [command.to_dict(bot.tree) for command in bot.tree.get_commands(guild=guild)]
    payload.sort(key=lambda c: (c.get("type", 1), c["name"]))
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_if_changed(bot: LanternBot) -> bool:
    """Sync to the dev guild when set, else globally; returns whether a sync happened."""
    guild_id = bot.settings.dev_guild_id
    guild = discord.Object(id=guild_id) if guild_id else None
    if guild is not None:
        bot.tree.copy_global_to(guild=guild)
    scope = str(guild_id) if guild_id else "global"
    key = f"command_sync:{bot.application_id}:{scope}"
    digest = tree_digest(bot, guild)
    if await bot.app_state.get(key) == digest:
        log.info("commands unchanged; sync skipped", extra={"scope": scope})
        return False
    synced = await bot.tree.sync(guild=guild)
    await bot.app_state.set(key, digest, bot.clock.now())
    log.info("commands synced", extra={"scope": scope, "count": len(synced)})
    return True
