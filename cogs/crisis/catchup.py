"""Screening what was said while Lantern was away.

Lantern keeps, per watched channel (cohorts, alumni spaces, and DMs it has had), a mark: the
newest message screened, below which nothing is still unscreened. At start-up and after a
gateway session that may have dropped events, it reads each channel's history since its mark
(at most the last 24 hours and 500 messages per channel) and screens what it missed, oldest
first. Alerts raised this way say when the message was sent.

Marks of ordinary messages are kept in memory and written every few seconds; a flagged
message's mark is written in the same transaction as its alert (`mark_for`), so a crash can
make Lantern screen an ordinary message twice (harmless) but never alert twice, and never
skip one. Messages seen twice in one run (a RESUME replays events while the catch-up reads
the same ones) are screened once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from cogs.crisis.store import CrisisStore

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

LOOKBACK = timedelta(hours=24)
PER_CHANNEL = 500
CHANNELS_AT_ONCE = 4
FLUSH_EVERY = 2.0
REMEMBER = 20_000
"""Message ids remembered as screened in this run (dedupe of replays)."""

Mark = tuple[int | None, int | None, int]
"""(guild id, DM person, message id)"""


class CatchUp:
    def __init__(
        self,
        bot: LanternBot,
        store: CrisisStore,
        screen: Callable[[discord.Message], Awaitable[None]],
    ) -> None:
        self.bot = bot
        self.store = store
        self._screen = screen
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._in_flight: dict[int, set[int]] = {}
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

    def start(self) -> None:
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
        if message.channel.id not in await self.store.marks_for([message.channel.id]):
            await self.store.save_marks(
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
        self._in_flight.setdefault(message.channel.id, set()).add(message.id)
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
        others = [m for m in self._in_flight.get(channel_id, ()) if m != message_id]
        return min(message_id, min(others) - 1) if others else message_id

    async def flush(self) -> None:
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        await self.store.save_marks(
            {c: self._done[c] for c in dirty if c in self._done}, self.bot.clock.now()
        )

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            try:
                await self.flush()
            except Exception:
                log.exception("could not save screening marks")

    # --- catching up ------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            await self._wanted.wait()
            self._wanted.clear()
            await self.bot.wait_until_ready()
            try:
                await self.catch_up()
            except Exception:
                log.exception("catch-up after downtime failed")
            finally:
                if not self._wanted.is_set():
                    self.idle.set()

    async def catch_up(self) -> int:
        """Screen messages posted since each channel's mark; returns how many were read."""
        self.runs += 1
        marks = await self.store.marks()
        channels: list[tuple[discord.abc.Messageable, int | None]] = []
        for guild_id, channel_id in await self.store.watched_channels():
            guild = self.bot.get_guild(guild_id)
            channel = guild.get_channel(channel_id) if guild else None
            if isinstance(channel, discord.TextChannel):
                channels.append((channel, marks.get(channel_id)))
        for channel_id, _user_id in await self.store.dm_marks():
            dm = self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)
            channels.append((dm, marks.get(channel_id)))
        limit = asyncio.Semaphore(CHANNELS_AT_ONCE)
        oldest = discord.utils.time_snowflake(self.bot.clock.now() - LOOKBACK)

        async def one(channel: discord.abc.Messageable, mark: int | None) -> int:
            async with limit:
                return await self._channel(channel, max(mark or 0, oldest))

        counts = await asyncio.gather(*(one(c, m) for c, m in channels))
        read = sum(counts)
        await self.flush()
        if read:
            log.info("caught up after downtime", extra={"messages": read, "channels": len(counts)})
        return read

    async def _channel(self, channel: discord.abc.Messageable, after: int) -> int:
        read = 0
        try:
            async for message in channel.history(
                limit=PER_CHANNEL, after=discord.Object(after), oldest_first=True
            ):
                read += 1
                if message.author.bot or not self.first_sight(message):
                    continue
                with self.bot.in_flight():
                    await self._screen(message)  # cancelled at shutdown: stays unmarked
                self.caught_up += 1
                self.screened(message)
        except discord.HTTPException as error:
            log.warning(
                "could not read a channel's history to catch up",
                extra={"channel_id": getattr(channel, "id", None), "status": error.status},
            )
        return read


def _owner(message: discord.Message) -> tuple[int | None, int | None]:
    if message.guild is not None:
        return message.guild.id, None
    return None, message.author.id if not message.author.bot else None
