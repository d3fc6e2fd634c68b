"""Starting and stopping one shard of a running AutoShardedBot (a takeover, a hand-back).

discord.py launches its shards once, at connect; it has `launch_shard` for one more but
nothing public to stop one, so this module is the one place that reaches into its shard
table. Kept tiny so a discord.py upgrade has one thing to check (tests cover both ways).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

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


IDENTIFY_WINDOW = 5.0
"""Discord allows `max_concurrency` IDENTIFYs per 5 seconds, one per bucket
(`shard_id % max_concurrency`); faster ones are refused with op 9."""


class IdentifyPacer:
    """Spaces this process's IDENTIFYs as Discord requires, and no more: discord.py's own
    hook waits 5 s before every identify but the first, so taking over a shard waited 5 s
    even when nothing had identified for minutes."""

    def __init__(
        self, max_concurrency: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self._clock = clock
        self._next: dict[int, float] = {}  # bucket -> earliest time for its next identify

    def delay(self, shard_id: int | None) -> float:
        """Seconds to wait before identifying `shard_id`; reserves its slot."""
        bucket = (shard_id or 0) % self.max_concurrency
        now = self._clock()
        at = max(now, self._next.get(bucket, now))
        self._next[bucket] = at + IDENTIFY_WINDOW
        return at - now

    async def wait(self, shard_id: int | None) -> None:
        if (seconds := self.delay(shard_id)) > 0:
            await asyncio.sleep(seconds)
