"""The Bot subclass: `setup_hook` wires storage, scheduler, cogs and command sync."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import pkgutil
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import discord
import yarl
from discord.ext import commands

import cogs
from bot.clock import Clock, SystemClock
from bot.command_sync import sync_if_changed
from bot.crypto import Cipher
from bot.interactions import NO_PINGS
from bot.outbox import ROUTINE, Outbox
from bot.personal_data import encrypt_plaintext
from bot.scheduler import Scheduler
from bot.staff import STAFF_LOG, deliver_log
from bot.storage import Database, apply_migrations, open_database
from bot.storage.app_state import AppStateStore
from bot.storage.database import DatabaseClosedError
from bot.storage.guilds import GuildConfigStore
from bot.tree import LanternTree
from config.resources import ResourceTable, load_resources
from config.settings import Settings

log = logging.getLogger(__name__)


def lantern_intents() -> discord.Intents:
    """Only what Lantern uses; the README lists the matching Developer Portal switches."""
    intents = discord.Intents.none()
    intents.guilds = True  # channels, roles, threads
    intents.members = True  # privileged: joins/leaves, role changes (enrolment, grace period)
    intents.guild_messages = True  # crisis detection in cohort and alumni channels
    intents.dm_messages = True  # people write to Lantern privately
    intents.message_content = True  # privileged: reading what people write, for safety
    intents.guild_scheduled_events = True  # the server's events, offered to quiet alumni
    return intents


def discover_extensions(package: Any = cogs) -> list[str]:
    """Every cog module/package under `cogs/`, skipping `_private` ones."""
    return sorted(
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )


def point_at_discord(settings: Settings) -> None:
    """Testing only: send REST and gateway traffic to a local Discord stand-in. Interaction
    callbacks and webhooks use the same Route base, so these two cover everything."""
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


SHUTDOWN_GRACE_SECONDS = 10.0


class LanternBot(commands.Bot):
    db: Database
    outbox: Outbox
    guild_configs: GuildConfigStore
    app_state: AppStateStore

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        resources: ResourceTable | None = None,
        extensions: list[str] | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("guild_ready_timeout", settings.guild_ready_timeout)
        # Lantern never joins voice; don't warn at every start that voice libraries are absent.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=lantern_intents(),
            tree_cls=LanternTree,
            # Nobody is pinged unless a message asks for it explicitly (echoed text is safe).
            allowed_mentions=NO_PINGS,
            # Members are fetched when needed; chunking big servers would slow start-up.
            chunk_guilds_at_startup=False,
            **options,
        )
        self.settings = settings
        point_at_discord(settings)
        self.clock: Clock = clock or SystemClock()
        self.resources = resources or load_resources()
        # Free-text health data is encrypted at rest when a key is configured.
        self.cipher = Cipher(settings.data_keys())
        self.scheduler = Scheduler()
        self._extensions = extensions if extensions is not None else discover_extensions()
        self.commands_synced: bool | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()
        self.before_close: list[Callable[[], Awaitable[None]]] = []
        """Cogs' clean-ups that must run while the database is still open."""
        self.person_homes: list[Callable[[int], Awaitable[list[int]]]] = []
        """Features that know which servers a person belongs to (user id -> server ids, most
        relevant first): a sharded process hands a DM to the process serving them."""

    async def on_message(self, message: discord.Message, /) -> None:
        """Lantern has only slash commands: skip `commands.Bot`'s prefix parsing, which would
        otherwise build a command context for every message on the server."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """An event handler that raced shutdown (the database or the connection already
        closed) is dropped with a warning: what it would have done is caught up from the
        database at the next start (the outbox, screening marks, timers). Anything else is
        logged at ERROR with its traceback, as discord.py does."""
        error = sys.exc_info()[1]
        if isinstance(error, DatabaseClosedError) or (self.is_closed() and error is not None):
            log.warning(
                "event dropped at shutdown",
                extra={"event": event_method, "error": type(error).__name__},
            )
            return
        await super().on_error(event_method, *args, **kwargs)

    async def setup_hook(self) -> None:
        self.db = await open_database(self.settings.database)
        await apply_migrations(self.db, self.clock.now())
        # Free text written before its column was encrypted (or before a key was set).
        if encrypted := await encrypt_plaintext(self.db, self.cipher):
            log.info("encrypted stored free text", extra={"values": encrypted})
        self.guild_configs = GuildConfigStore(self.db)
        self.app_state = AppStateStore(self.db)
        self.outbox = await self.open_outbox()
        self.outbox.register(
            STAFF_LOG, functools.partial(deliver_log, self, self.guild_configs), ROUTINE
        )
        self.scheduler.start()
        for name in self._extensions:
            await self.load_extension(name)
        # Delivers what is pending (also from before a crash) once the caches are full.
        self.outbox.start(self.wait_until_ready)
        self.commands_synced = await sync_if_changed(self)
        log.info("set-up complete", extra={"extensions": len(self._extensions)})

    async def open_outbox(self) -> Outbox:
        """The outbox (and, sharded, what it depends on: the shard leases). The only process
        on its database: leases left by an earlier run (a crash) are void."""
        outbox = Outbox(self.db, self.clock, self.cipher, track=self.in_flight)
        await outbox.store.release()
        return outbox

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether this process does the work of this server (always, unless sharded across
        processes: then only for servers on its shards; None is a DM, shard 0)."""
        return True

    def guild_scope(self, column: str) -> str:
        """`owns_guild` as a SQL condition on a server-id `column` (for a feature's queries
        of due work)."""
        return "1 = 1"

    async def on_ready(self) -> None:
        log.info(
            "ready",
            extra={"user_id": self.user.id if self.user else None, "guilds": len(self.guilds)},
        )

    @contextlib.contextmanager
    def in_flight(self) -> Iterator[None]:
        """Mark the current task as work that shutdown must let finish (e.g. a crisis
        message half-way to its alert)."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self._in_flight.add(task)
        try:
            yield
        finally:
            self._in_flight.discard(task)

    @property
    def idle(self) -> bool:
        """No tracked in-flight work (tests wait for this instead of sleeping)."""
        return not self._in_flight

    async def close(self) -> None:
        """Stop scheduling, let in-flight work finish, disconnect, then close the database."""
        self.scheduler.shutdown()
        if hasattr(self, "outbox"):
            await self.outbox.stop(SHUTDOWN_GRACE_SECONDS)
        for hook in list(self.before_close):
            try:
                await hook()
            except Exception:
                log.exception("a clean-up at shutdown failed")
        await self._drain()
        # Not commands.Bot.close(): it unloads every extension, which undoes nothing we need
        # at exit (the scheduler is stopped) but purges the cogs' modules from sys.modules,
        # so a restart in the same process re-imports and recompiles them (~200 ms).
        await super(commands.bot.BotBase, self).close()  # Client's (or AutoShardedClient's)
        await self._drain()  # handlers for events that arrived while disconnecting
        if hasattr(self, "db"):
            await self.db.close()

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SHUTDOWN_GRACE_SECONDS
        while loop.time() < deadline:
            pending = {t for t in self._in_flight if t is not asyncio.current_task()}
            if not pending:
                return
            await asyncio.wait(pending, timeout=deadline - loop.time())
        log.warning(
            "shutdown did not wait for all in-flight work", extra={"tasks": len(self._in_flight)}
        )
