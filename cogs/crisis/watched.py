"""Which channels are screened for crisis language: every active cohort's text channels and
the alumni space's. Kept in memory, because every message asks: loaded when the cog loads
and on each new gateway session, reloaded whenever cohorts or alumni say their spaces changed
(rare: a cohort created, archived, deleted or repaired; an alumni space set up), and a
deleted channel leaves at once."""

from __future__ import annotations

import asyncio

from bot.storage import Database
from cogs.alumni import api as alumni_api
from cogs.cohorts import api as cohorts_api


async def watched_channels(db: Database) -> list[tuple[int, int]]:
    """(guild id, channel id) of every screened channel, from the owners' records."""
    cohorts = await cohorts_api.Membership(db).live_channels()
    return sorted({*cohorts, *await alumni_api.space_channels(db)})


class WatchedChannels:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._channels: frozenset[tuple[int, int]] | None = None
        self._lock = asyncio.Lock()

    async def contains(self, guild_id: int, channel_id: int) -> bool:
        if self._lock.locked():
            # Spaces just changed and the reload is reading them: a message in a channel
            # created a moment ago must not slip through unscreened (a slow database).
            async with self._lock:
                pass
        channels = self._channels
        if channels is None:  # not loaded yet (only if a message beats cog_load's reload)
            channels = await self.reload()
        return (guild_id, channel_id) in channels

    async def reload(self) -> frozenset[tuple[int, int]]:
        async with self._lock:  # one reload at a time; the last one wins with fresh data
            self._channels = frozenset(await watched_channels(self._db))
            return self._channels

    def discard(self, guild_id: int, channel_id: int) -> None:
        """A channel was deleted: no need to ask the owners (its record may lag)."""
        if self._channels is not None:
            self._channels = self._channels - {(guild_id, channel_id)}
