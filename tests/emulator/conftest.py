"""Fixtures: a fresh emulator and a connected real bot per test, and a log watchdog.

discord.py only LOGS exceptions raised in event handlers and views, so `fail_on_error_logs`
fails any test during which the `discord` or `bot` loggers record an ERROR.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import discord
import pytest

from emulator import Emulator, P, wiring
from emulator.model import Channel, Guild, Member, Role
from tests.emulator.testbot import ProbeBot


@pytest.fixture(autouse=True)
def fail_on_error_logs() -> Iterator[wiring.ErrorLogWatch]:
    with wiring.ErrorLogWatch(("discord", "bot")) as watch:
        yield watch
    if watch.records:
        pytest.fail("ERROR logged during the test:\n" + watch.report())


@dataclass
class Program:
    """A small IOP server: one facilitator, two participants, public and private rooms."""

    guild: Guild
    facilitator: Role
    alice: Member
    """A facilitator."""
    bob: Member
    """A participant."""
    carol: Member
    """A participant with DMs closed."""
    general: Channel
    staff: Channel
    """Only facilitators (and the bot) can see it."""


def build_program(emu: Emulator) -> Program:
    guild = emu.create_guild("Hope IOP")
    facilitator = emu.create_role(guild, "Facilitator", permissions=P.MANAGE_MESSAGES)
    alice = emu.create_member(guild, "alice", roles=[facilitator])
    bob = emu.create_member(guild, "bob")
    carol = emu.create_member(guild, "carol", dms_closed=True)
    general = emu.create_channel(guild, "general", topic="Say hi")
    staff = emu.create_channel(
        guild,
        "staff",
        overwrites={
            guild: discord.PermissionOverwrite(view_channel=False),
            facilitator: discord.PermissionOverwrite(view_channel=True),
            guild.bot_role: discord.PermissionOverwrite(view_channel=True),
        },
    )
    return Program(guild, facilitator, alice, bob, carol, general, staff)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def program(emu: Emulator) -> Program:
    return build_program(emu)


@pytest.fixture
async def bot(emu: Emulator, program: Program) -> AsyncIterator[ProbeBot]:
    client = ProbeBot()
    async with wiring.connected(emu, client):
        await client.tree.sync()
        yield client
