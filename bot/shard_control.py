"""Starting and stopping one shard of a running AutoShardedBot (a takeover, a hand-back).

discord.py launches its shards once, at connect; it has `launch_shard` for one more but
nothing public to stop one, so this module is the one place that reaches into its shard
table. Kept tiny so a discord.py upgrade has one thing to check (tests cover both ways).
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

log = logging.getLogger(__name__)


def _shards(bot: commands.AutoShardedBot) -> dict[int, object]:
    return bot._AutoShardedClient__shards  # type: ignore[attr-defined,no-any-return]


def running(bot: commands.AutoShardedBot) -> set[int]:
    return set(_shards(bot))


async def launch(bot: commands.AutoShardedBot, shard_id: int) -> None:
    ids = bot.shard_ids
    if ids is not None and shard_id not in ids:
        ids.append(shard_id)  # the same list discord.py's state counts READY shards against
        ids.sort()
    await bot.launch_shard(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY, shard_id)


async def stop(bot: commands.AutoShardedBot, shard_id: int) -> None:
    shard = _shards(bot).pop(shard_id, None)
    if shard is not None:
        await shard.close()  # type: ignore[attr-defined]  # cancels its reader, closes with 1000
    if bot.shard_ids is not None and shard_id in bot.shard_ids:
        bot.shard_ids.remove(shard_id)
    state = bot._connection
    for guild in [g for g in bot.guilds if g.shard_id == shard_id]:
        state._remove_guild(guild)  # its events now reach another process
