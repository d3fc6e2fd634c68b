"""End-to-end fixtures: the real Lantern bot against a fresh local Discord per test.

`emu` is the emulator, `clinic` a small IOP server built in it, `lantern` the running bot
(temporary database, commands synced), `harness` starts/restarts/stops bots on the same
database. Any ERROR logged by discord.py or the bot fails the test (discord.py only logs
exceptions in handlers); a test that expects one calls `error_logs.expect(...)`.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
import time_machine

from bot.client import LanternBot, discover_extensions
from bot.logs import configure_logging
from bot.permissions import required_permissions
from bot.storage.guilds import GuildConfig
from config.settings import Settings
from emulator import Emulator, P, wiring
from emulator.model import Channel, Guild, Member, Role

# A Monday afternoon in Chicago; scheduled work is tested by moving this clock.
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


class ExpectingErrorLogWatch(wiring.ErrorLogWatch):
    def expect(self, fragment: str) -> list[str]:
        """Remove (and return) the ERROR records mentioning `fragment`; the rest still fail."""
        matched = [r for r in self.records if fragment in r.getMessage()]
        self.records = [r for r in self.records if r not in matched]
        return [r.getMessage() for r in matched]


@pytest.fixture(autouse=True)
def production_logging(request: pytest.FixtureRequest) -> Iterator[str]:
    """Logging exactly as `python -m bot run` sets it (INFO, text or json): a log call that
    only breaks when its record is really made (an `extra=` key clashing with a LogRecord
    attribute, a formatter choking on a value) breaks here too. Tests alternate the two
    formats by name, so both run across the suite. pytest's own handlers are kept."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("discord").level)
    fmt = "json" if zlib.crc32(request.node.nodeid.encode()) % 2 else "text"
    configure_logging("INFO", fmt)
    root.handlers.extend(saved[0])
    try:
        yield fmt
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("discord").setLevel(saved[2])


@pytest.fixture(autouse=True)
def error_logs(production_logging: str) -> Iterator[ExpectingErrorLogWatch]:
    with ExpectingErrorLogWatch(("discord", "bot", "cogs")) as watch:
        yield watch
    if watch.records:
        pytest.fail("ERROR logged during the test:\n" + watch.report())


@pytest.fixture
def travel() -> Iterator[time_machine.Coordinates]:
    """Wall-clock time for the bot, its scheduler and the emulator; moves only when told."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@dataclass
class Clinic:
    """A small IOP server: Dana owns it, Alice facilitates, Bob and Carol take part."""

    guild: Guild
    facilitator_role: Role
    alumni_role: Role
    dana: Member
    """The server owner (Manage Server), not a facilitator."""
    alice: Member
    """A facilitator."""
    bob: Member
    """A participant."""
    carol: Member
    """A participant with DMs closed."""
    general: Channel
    escalations: Channel
    mod_log: Channel

    def config(self, **changes: object) -> GuildConfig:
        base = GuildConfig(
            guild_id=self.guild.id,
            facilitator_role_id=self.facilitator_role.id,
            alumni_role_id=self.alumni_role.id,
            escalation_channel_id=self.escalations.id,
            log_channel_id=self.mod_log.id,
            timezone="America/Chicago",
            region="US",
        )
        return base.merged(**changes) if changes else base


def build_clinic(emu: Emulator) -> Clinic:
    # Lantern joins with exactly what its invite link asks for.
    guild = emu.create_guild("Hope IOP", owner="dana", bot_permissions=required_permissions())
    facilitator = emu.create_role(guild, "Facilitator")
    alumni = emu.create_role(guild, "Alumni")
    dana = emu.member(guild, guild.owner_id)
    alice = emu.create_member(guild, "alice", roles=[facilitator])
    bob = emu.create_member(guild, "bob")
    carol = emu.create_member(guild, "carol", dms_closed=True)
    general = emu.create_channel(guild, "general")
    staff_only = {
        guild: discord.PermissionOverwrite(view_channel=False),
        facilitator: discord.PermissionOverwrite(view_channel=True),
        guild.bot_role: discord.PermissionOverwrite(view_channel=True),
    }
    escalations = emu.create_channel(guild, "escalations", overwrites=staff_only)
    mod_log = emu.create_channel(guild, "mod-log", overwrites=staff_only)
    return Clinic(
        guild, facilitator, alumni, dana, alice, bob, carol, general, escalations, mod_log
    )


class Harness:
    """Starts Lantern bots against one emulator and one database (restarts keep both)."""

    def __init__(self, emu: Emulator, database: Path) -> None:
        self.emu = emu
        self.database = database
        self.bot: LanternBot | None = None
        self._running: AbstractAsyncContextManager[object] | None = None
        self.starts = 0

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "discord_token": self.emu.bot_token,
            "database": self.database,
            "log_level": "INFO",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    async def start(self, *, extra: tuple[str, ...] = (), **settings: object) -> LanternBot:
        """Start Lantern (every cog, plus `extra` test-only extensions)."""
        if self.bot is not None:
            raise RuntimeError("a bot is already running; stop() or restart() it")
        bot = LanternBot(
            self.settings(**settings),
            extensions=[*discover_extensions(), *extra],
            guild_ready_timeout=0.05,
        )
        context = wiring.connected(self.emu, bot)
        await context.__aenter__()
        self.bot, self._running = bot, context
        self.starts += 1
        return bot

    async def stop(self) -> None:
        if self._running is not None:
            context, self._running, self.bot = self._running, None, None
            await context.__aexit__(None, None, None)

    async def restart(self, *, extra: tuple[str, ...] = (), **settings: object) -> LanternBot:
        await self.stop()
        return await self.start(extra=extra, **settings)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
def clinic(emu: Emulator) -> Clinic:
    return build_clinic(emu)


@pytest.fixture
async def harness(emu: Emulator, clinic: Clinic, tmp_path: Path) -> AsyncIterator[Harness]:
    runner = Harness(emu, tmp_path / "lantern.db")
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def lantern(harness: Harness) -> LanternBot:
    return await harness.start()


@pytest.fixture
async def configured(lantern: LanternBot, clinic: Clinic) -> LanternBot:
    """Lantern with the clinic's /setup already saved."""
    await lantern.guild_configs.save(clinic.config(), lantern.clock.now())
    return lantern


__all__ = ["START", "Clinic", "Harness", "P"]
