"""Screening what was said while Lantern was away.

Lantern keeps, per watched channel (cohorts, alumni spaces, and DMs it has had), a mark: the
newest message screened, below which nothing is still unscreened. At start-up and after a
gateway session that may have dropped events, it reads each channel's history since its mark
(at most the last 24 hours and 500 messages per channel) and screens what it missed, oldest
first. Channels without a mark (a cohort nobody has written in yet, and the DMs of members
who have never written to Lantern: Discord cannot list a bot's DMs, so Lantern opens them)
are read from when the previous run was last known alive (written every few seconds).
Alerts raised this way say when the message was sent.

Marks of ordinary messages are kept in memory and written every few seconds; a flagged
message's mark is written in the same transaction as its alert (`mark_for`), so a crash can
make Lantern screen an ordinary message twice (harmless) but never alert twice, and never
skip one. Messages seen twice in one run (a RESUME replays events while the catch-up reads
the same ones) are screened once.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.tree import new_incident_id
from cogs.crisis.marks import Mark, ScreenMarks
from cogs.crisis.watched import watched_channels

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

LOOKBACK = timedelta(hours=24)
PER_CHANNEL = 500
CHANNELS_AT_ONCE = 4
FLUSH_EVERY = 2.0
DM_PROBES = 1_000
"""At most this many members' DMs are opened to look for first messages missed."""
ALIVE_KEY = "crisis:alive_at"
ALIVE_SLACK = timedelta(seconds=10)
REMEMBER = 20_000
"""Message ids remembered as screened in this run (dedupe of replays)."""


class CatchUp:
    def __init__(
        self,
        bot: LanternBot,
        marks: ScreenMarks,
        screen: Callable[[discord.Message], Awaitable[None]],
    ) -> None:
        self.bot = bot
        self.marks = marks
        self._screen = screen
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._in_flight: dict[int, Waiting] = {}
        self._done: dict[int, Mark] = {}
        self._dirty: set[int] = set()
        self._known_dms: set[int] = set()
        self._wanted = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.runs = 0
        self.caught_up = 0
        """Messages screened from history (tests, benchmarks)."""
        self.idle = asyncio.Event()
        self.idle.set()
        self._since: datetime | None = None
        self._covered = False

    async def start(self) -> None:
        # When the previous run was last known alive: messages in channels without a mark
        # (a cohort nobody wrote in yet, a person's very first DM) are read from there.
        alive = await self.bot.app_state.get(ALIVE_KEY)
        self._since = datetime.fromisoformat(alive) - ALIVE_SLACK if alive else None
        self._tasks = [
            asyncio.create_task(self._run(), name="crisis:catchup"),
            asyncio.create_task(self._flush_forever(), name="crisis:marks"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):  # the database may already be closed
            await self.flush()

    def request(self) -> None:
        """Read what may have been missed (a new gateway session)."""
        self._covered = False  # "alive" stays put until that is read
        self.idle.clear()
        self._wanted.set()

    # --- live messages ----------------------------------------------------------------

    async def note_dm_channel(self, message: discord.Message) -> None:
        """Remember a person's DM channel the first time they write (Discord cannot list a
        bot's DMs), marked just before this message: if Lantern stops before screening it,
        the next start reads it from the history."""
        if message.guild is not None or message.channel.id in self._known_dms:
            return
        self._known_dms.add(message.channel.id)
        if not await self.marks.has_mark(message.channel.id):
            await self.marks.save(
                {message.channel.id: (None, message.author.id, message.id - 1)},
                self.bot.clock.now(),
            )

    def first_sight(self, message: discord.Message) -> bool:
        """False if this message was already screened in this run."""
        if message.id in self._seen:
            return False
        self._seen[message.id] = None
        if len(self._seen) > REMEMBER:
            self._seen.popitem(last=False)
        self._in_flight.setdefault(message.channel.id, Waiting()).add(message.id)
        return True

    def screened(self, message: discord.Message) -> None:
        channel_id = message.channel.id
        waiting = self._in_flight.get(channel_id)
        if waiting is not None:
            waiting.discard(message.id)
        mark = self._safe(channel_id, message.id)
        old = self._done.get(channel_id)
        if old is None or mark > old[2]:
            self._done[channel_id] = (*_owner(message), mark)
            self._dirty.add(channel_id)

    def mark_for(self, message: discord.Message) -> dict[int, Mark]:
        """The mark to write with this message's alert: everything up to it is screened,
        except messages of the same channel still being screened."""
        return {message.channel.id: (*_owner(message), self._safe(message.channel.id, message.id))}

    def _safe(self, channel_id: int, message_id: int) -> int:
        waiting = self._in_flight.get(channel_id)
        other = waiting.smallest_other(message_id) if waiting else None
        return message_id if other is None else min(message_id, other - 1)

    async def flush(self) -> None:
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        await self.marks.save(
            {c: self._done[c] for c in dirty if c in self._done}, self.bot.clock.now()
        )

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            try:
                await self.flush()
                if self._covered and self.bot.is_ready():
                    await self._alive(self.bot.clock.now())
            except Exception:
                log.exception("could not save screening marks")

    async def _alive(self, covered_until: datetime) -> None:
        """Record that every message before `covered_until` has been screened."""
        await self.bot.app_state.set(ALIVE_KEY, covered_until.isoformat(), self.bot.clock.now())

    # --- catching up ------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self._wanted.wait()
            self._wanted.clear()
            await self.bot.wait_until_ready()
            try:
                started = self.bot.clock.now()
                await self.catch_up()
                # Everything before this run's start is screened now; live events cover
                # what follows, so from here on "alive" moves forward.
                await self._alive(started)
                self._covered = True
            except Exception:
                log.exception("catch-up after downtime failed")
            finally:
                if not self._wanted.is_set():
                    self.idle.set()

    async def catch_up(self) -> int:
        """Screen messages posted since each channel's mark (or, for channels without one,
        since Lantern was last known alive); returns how many were read."""
        self.runs += 1
        now = self.bot.clock.now()
        oldest = discord.utils.time_snowflake(now - LOOKBACK)
        since = discord.utils.time_snowflake(self._since) if self._since else None
        self._since = now - ALIVE_SLACK  # a later session lost after this run's start
        marks = await self.marks.marks()
        channels: list[tuple[discord.abc.Messageable, int | None]] = []
        for guild_id, channel_id in await watched_channels(self.bot.db):
            guild = self.bot.get_guild(guild_id)
            channel = guild.get_channel(channel_id) if guild else None
            if isinstance(channel, discord.TextChannel):
                channels.append((channel, marks.get(channel_id, since)))
        dm_people = set()
        for channel_id, user_id in await self.marks.dm_channels():
            dm = self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)
            channels.append((dm, marks.get(channel_id)))
            dm_people.add(user_id)
        limit = asyncio.Semaphore(CHANNELS_AT_ONCE)

        async def one(channel: discord.abc.Messageable, mark: int | None) -> int:
            if mark is None:
                return 0  # never seen, and no known downtime to cover
            async with limit:
                return await self._channel(channel, max(mark, oldest))

        async def first_dms() -> int:
            """People who may have written to Lantern for the first time while it was
            down: Discord cannot list a bot's DMs, so open each member's (paced)."""
            if since is None:
                return 0
            read = 0
            for member in await self._dm_candidates(dm_people):
                channel = member.dm_channel
                if channel is None:
                    await self.bot.outbox.pacer.wait()
                    try:
                        channel = await member.create_dm()
                    except discord.HTTPException as exc:  # skipped: say so, never silently
                        log.warning(
                            "could not open a member's DM to catch up",
                            extra={"user_id": member.id, "status": exc.status, "code": exc.code},
                        )
                        continue
                read += await one(channel, since)
            return read

        counts = await asyncio.gather(*(one(c, m) for c, m in channels), first_dms())
        read = sum(counts)
        await self.flush()
        if read:
            log.info("caught up after downtime", extra={"messages": read, "channels": len(counts)})
        return read

    async def _dm_candidates(self, known: set[int | None]) -> list[discord.Member]:
        """Members of configured servers whose DM channel has no mark yet (bounded)."""
        found: dict[int, discord.Member] = {}
        for guild in self.bot.guilds:
            config = await self.bot.guild_configs.get(guild.id)
            if config is None or not config.is_complete:
                continue
            for member in guild.members:
                if not member.bot and member.id not in known:
                    found.setdefault(member.id, member)
        return list(found.values())[:DM_PROBES]

    async def _channel(self, channel: discord.abc.Messageable, after: int) -> int:
        """Screen the channel's messages after `after`, oldest first; if more than the bound
        were posted, the newest ones (most likely still relevant) are screened and the
        skip is logged at ERROR, so the mark never passes a message silently."""
        newest: list[discord.Message] = []
        try:
            async for message in channel.history(limit=PER_CHANNEL + 1):  # newest first
                if message.id <= after:
                    break
                newest.append(message)
        except discord.HTTPException as error:
            log.warning(
                "could not read a channel's history to catch up",
                extra={"channel_id": getattr(channel, "id", None), "status": error.status},
            )
        if len(newest) > PER_CHANNEL:
            newest = newest[:PER_CHANNEL]
            incident = new_incident_id()
            log.error(
                "over %d messages were posted while Lantern was offline; older ones were not "
                "screened (incident %s)",
                PER_CHANNEL,
                incident,
                extra={"channel_id": getattr(channel, "id", None), "incident": incident},
            )
        for message in reversed(newest):
            if message.author.bot or not self.first_sight(message):
                continue
            with self.bot.in_flight():
                await self._screen(message)  # cancelled at shutdown: stays unmarked
            self.caught_up += 1
            self.screened(message)
        return len(newest)


class Waiting:
    """Ids of one channel's messages still being screened; the smallest in O(log n)."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self._heap: list[int] = []

    def add(self, message_id: int) -> None:
        self.ids.add(message_id)
        heapq.heappush(self._heap, message_id)

    def discard(self, message_id: int) -> None:
        self.ids.discard(message_id)  # left in the heap until it reaches the top

    def smallest_other(self, message_id: int) -> int | None:
        """The smallest id still being screened, other than `message_id`."""
        heap = self._heap
        self._drop_done()
        if not heap or heap[0] != message_id:
            return heap[0] if heap else None
        mine = heapq.heappop(heap)
        self._drop_done()
        other = heap[0] if heap else None
        heapq.heappush(heap, mine)
        return other

    def _drop_done(self) -> None:
        while self._heap and self._heap[0] not in self.ids:
            heapq.heappop(self._heap)


def _owner(message: discord.Message) -> tuple[int | None, int | None]:
    if message.guild is not None:
        return message.guild.id, None
    return None, message.author.id if not message.author.bot else None
