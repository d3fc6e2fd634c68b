"""Lantern on several shards, possibly split between processes sharing one PostgreSQL
database (LANTERN_SHARD_COUNT, LANTERN_SHARD_IDS)."""

from __future__ import annotations

import functools
import logging
from typing import Any

from discord.ext import commands

from bot import shard_control
from bot.client import LanternBot
from bot.handoff import DmRouter, HandoffStore
from bot.outbox import Outbox
from bot.outbox.pacer import DEFAULT_RATE
from bot.shard_keeper import ShardKeeper
from bot.shard_leases import ShardLeases, process_name
from bot.sharding import owned_sql
from bot.tasks import create_task
from config.settings import Settings

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How often the outbox looks for rows other processes wrote for this one's servers."""


# discord.py picks sharding by base class; everything Lantern adds stays in LanternBot and
# the composed ShardKeeper.
class ShardedLanternBot(LanternBot, commands.AutoShardedBot):
    shard_ids: list[int]

    def __init__(self, settings: Settings, **options: Any) -> None:
        shards = settings.shards()
        if shards is None:
            raise ValueError("ShardedLanternBot needs LANTERN_SHARD_COUNT")
        count, home = shards
        # The real list is the home shards that are free at start (setup_hook fills it).
        super().__init__(settings, shard_count=count, shard_ids=list(home), **options)
        self.process = process_name()
        self.keeper: ShardKeeper | None = None
        self.router: DmRouter
        self.identify_pacer = shard_control.IdentifyPacer()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.identify_pacer.wait(shard_id)

    def owns_guild(self, guild_id: int | None) -> bool:
        return self.keeper is not None and self.keeper.owns(guild_id)

    def guild_scope(self, column: str) -> str:
        if self.keeper is None:
            return "1 = 0"
        return owned_sql(column, self.keeper.count, self.keeper.owned)

    async def open_outbox(self) -> Outbox:
        count, home = self.settings.shards() or (1, [0])
        self.identify_pacer.max_concurrency = await self._max_concurrency()
        leases = ShardLeases(self.db, self.process, count, home, self.settings.shard_lease_seconds)
        self.keeper = ShardKeeper(
            leases,
            launch=functools.partial(shard_control.launch, self),
            stop=functools.partial(shard_control.stop, self),
            on_change=self._shards_changed,
            on_processes=self._share_rate,
        )
        every = self.settings.shard_lease_seconds / 3
        self.shard_ids[:] = await self.keeper.claim_initial(retry=every)
        outbox = Outbox(
            self.db,
            self.clock,
            self.cipher,
            track=self.in_flight,
            owner=self.process,
            scope=self.keeper.scope,
            poll=POLL_SECONDS,
        )
        self.outbox = outbox  # the keeper's ticks pace it from now on
        await outbox.store.release(keep=await leases.live_owners())
        self.router = DmRouter(
            self.keeper,
            HandoffStore(self.db, self.clock, self.cipher),
            self.person_homes,
            lambda: self.user.id if self.user else None,
        )
        self.router.install(self._connection.parsers)
        self.before_close.append(self.router.stop)
        self.before_close.append(self.keeper.stop)
        # Renewing starts now: the first connect can take longer than a lease.
        self.keeper.start(every)
        create_task(self._when_ready(), name="lantern:shards:start")
        return outbox

    async def _max_concurrency(self) -> int:
        """Discord's identify concurrency for this bot (GET /gateway/bot); 1 if unknown."""
        try:
            _, _, limits = await self.http.get_bot_gateway()
            return max(1, int(limits.get("max_concurrency", 1)))
        except Exception:  # a hiccup at start: the strictest pace is always allowed
            log.warning("could not read the identify concurrency; identifying one at a time")
            return 1

    async def _when_ready(self) -> None:
        await self.wait_until_ready()
        if self.keeper is not None and not self.is_closed():
            self.keeper.started = True  # take over, hand back, launch from now on
            self.router.start()

    def _share_rate(self, processes: int) -> None:
        """Discord's global limit is per bot token: the processes split the paced sends."""
        self.outbox.pacer.rate = DEFAULT_RATE / processes
        log.info("pacing shared", extra={"processes": processes, "rate": self.outbox.pacer.rate})

    async def _shards_changed(self, added: set[int], removed: set[int]) -> None:
        if self.keeper is not None:
            # Deliveries a stopped process had leased are free for whoever serves them now.
            await self.outbox.store.release(keep=await self.keeper.leases.live_owners())
        self.outbox.poke()
        owned = sorted(self.keeper.owned) if self.keeper else []
        log.info("serving shards", extra={"shards": owned, "added": sorted(added)})

    async def on_shard_ready(self, shard_id: int) -> None:
        """A shard taken over (or reconnected) after start-up has its servers in the cache
        now: features re-arm their work for them and catch up on what the gap missed
        (`on_lantern_shards_changed`). At start-up `on_ready` does that for all."""
        if self.keeper is not None:
            self.guild_configs.forget()  # another process may have changed their /setup
            self.keeper.ready(shard_id)
            self.outbox.poke()
        if self.is_ready():
            self.dispatch("lantern_shards_changed", {shard_id}, set())


def make_bot(settings: Settings, **options: Any) -> LanternBot:
    """The bot the settings ask for: sharded when LANTERN_SHARD_COUNT is set."""
    if settings.shard_count is not None:
        return ShardedLanternBot(settings, **options)
    return LanternBot(settings, **options)
