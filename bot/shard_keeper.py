"""Keeps this process's shards: claims them at start, renews the leases, takes over the
shards of a process that died, hands shards back to the process they belong to, and tells
the features when the set of servers this process serves has changed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.shard_leases import ShardLeases, Tick
from bot.sharding import owned_sql, shard_of
from bot.tasks import create_task

log = logging.getLogger(__name__)

Control = Callable[[int], Awaitable[None]]


class ShardKeeper:
    """Given the leases and how to start and stop one shard; `on_change(added, removed)`
    runs after the shards served here changed."""

    def __init__(
        self,
        leases: ShardLeases,
        *,
        launch: Control,
        stop: Control,
        on_change: Callable[[set[int], set[int]], Awaitable[None]],
        on_processes: Callable[[int], None] = lambda count: None,
    ) -> None:
        self.leases = leases
        self._launch = launch
        self._stop = stop
        self._on_change = on_change
        self._on_processes = on_processes
        self.processes = 1
        """Processes sharing the bot (live leases), from the last tick."""
        self.owned: frozenset[int] = frozenset()
        """Shards this process holds the lease of: it arms their scheduled work."""
        self.serving: frozenset[int] = frozenset()
        """Held shards whose servers are in the cache (READY here): it delivers their
        outbox rows and takes their handed-over DMs. A shard taken over joins once ready."""
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._launching: set[asyncio.Task[None]] = set()
        self.started = False
        """Set once this process's own first shards are connected: until then it only
        renews (taking or launching shards would race discord.py's first connect)."""

    @property
    def count(self) -> int:
        return self.leases.count

    def owns(self, guild_id: int | None) -> bool:
        return shard_of(guild_id, self.count) in self.owned

    def serves(self, guild_id: int | None) -> bool:
        return shard_of(guild_id, self.count) in self.serving

    def scope(self, column: str) -> str:
        """A SQL condition: rows whose server `column` is on a shard served here."""
        return owned_sql(column, self.count, self.serving)

    def scope_of_shards(self, column: str = "shard_id") -> str:
        """A SQL condition: rows whose shard number `column` is served here."""
        if not self.serving:
            return "1 = 0"
        return f"{column} IN ({', '.join(str(int(s)) for s in sorted(self.serving))})"

    def ready(self, shard: int) -> None:
        """`shard`'s servers are in the cache now (discord.py's shard_ready)."""
        if shard in self.owned:
            self.serving = self.serving | {shard}

    async def claim_initial(self, *, retry: float) -> list[int]:
        """At start: the home shards that are free. Waits (renewing its wish) while all of
        them are still held: by a process that will hand them back, or by this process's
        own previous run until its leases expire."""
        await self.leases.check_count()
        waited = False
        while True:
            tick = await self.leases.tick(adopt=False)
            if tick.held:
                self.owned = self.serving = frozenset(tick.held)  # delivery waits for ready
                log.info("shards claimed", extra={"shards": sorted(tick.held)})
                return sorted(tick.held)
            if not waited:
                log.info(
                    "waiting for this process's shards to be free",
                    extra={"shards": sorted(self.leases.home)},
                )
                waited = True
            await asyncio.sleep(retry)

    def start(self, every: float) -> None:
        self._task = asyncio.create_task(self._run(every), name="lantern:shards")

    def poke(self) -> None:
        self._wake.set()

    async def _launch_all(self, shards: list[int]) -> None:
        for shard in shards:  # one after another: Discord paces identifies
            if shard not in self.owned:
                continue
            await self._launch(shard)
            if shard not in self.owned:  # handed back or lost while it connected
                await self._stop(shard)

    async def stop(self) -> None:
        """At shutdown: stop renewing and release the leases so others take over at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._launching):
            task.cancel()
        await self.leases.release_all()
        self.owned = self.serving = frozenset()

    async def _run(self, every: float) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: keep the shards, try again next tick
                log.exception("shard lease renewal failed; retrying")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), every)

    async def tick(self) -> Tick:
        tick = await self._tick()
        if tick.processes != self.processes:
            self.processes = tick.processes
            self._on_processes(tick.processes)
        return tick

    async def _tick(self) -> Tick:
        if not self.started:
            tick = await self.leases.tick(adopt=False)
            lost = set(self.owned) - tick.held
            if lost:
                log.warning("shards lost to another process", extra={"shards": sorted(lost)})
                self.owned = frozenset(tick.held)
                self.serving = frozenset(set(self.serving) & tick.held)
            return tick
        tick = await self.leases.tick(adopt=True)
        lost = set(self.owned) - tick.held
        removed = lost | tick.hand_back
        added = tick.held - set(self.owned) - tick.hand_back
        self.owned = frozenset(set(self.owned) - removed)  # no new work for them from now
        self.serving = frozenset(set(self.serving) - removed)
        for shard in sorted(removed):
            await self._stop(shard)
            if shard in tick.hand_back:
                await self.leases.hand_back(shard)
        if lost:
            log.warning("shards lost to another process", extra={"shards": sorted(lost)})
        if tick.hand_back:
            log.info("shards handed back", extra={"shards": sorted(tick.hand_back)})
        if tick.took_over:
            log.warning(
                "took over shards of a process that stopped",
                extra={"shards": sorted(tick.took_over)},
            )
        self.owned = frozenset(tick.held - tick.hand_back)
        if added:
            # In the background: a connection that takes long (discord.py waits between
            # identifies, and retries) must not hold up the renewals that keep the others.
            task = create_task(self._launch_all(sorted(added)), name="lantern:shards:launch")
            self._launching.add(task)
            task.add_done_callback(self._launching.discard)
        if added or removed:
            await self._on_change(added, removed)
        return tick
