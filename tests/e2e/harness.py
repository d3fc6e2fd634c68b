"""What the e2e fixtures are built from, importable by tests, benches and tests/process:
the start time, the clinic server, the bot harness and the ERROR-log watch."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord

from bot.client import LanternBot, discover_extensions
from bot.permissions import required_permissions
from bot.storage.guilds import GuildConfig
from config.settings import Settings
from emulator import Emulator, wiring
from emulator.model import Channel, Guild, Member, Role

# A Monday afternoon in Chicago; scheduled work is tested by moving this clock.
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


class ExpectingErrorLogWatch(wiring.ErrorLogWatch):
    def expect(self, fragment: str) -> list[str]:
        """Remove (and return) the ERROR records mentioning `fragment`; the rest still fail."""
        matched = [r for r in self.records if fragment in r.getMessage()]
        self.records = [r for r in self.records if r not in matched]
        return [r.getMessage() for r in matched]


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


def build_clinic(
    emu: Emulator, *, name: str = "Hope IOP", shard: tuple[int, int] | None = None
) -> Clinic:
    """`shard=(shard_id, num_shards)`: a server that shard carries (tests of sharding)."""
    # Lantern joins with exactly what its invite link asks for.
    guild = emu.create_guild(
        name, owner="dana", bot_permissions=required_permissions(), shard=shard
    )
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

    def __init__(self, emu: Emulator, database: Path | str) -> None:
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
