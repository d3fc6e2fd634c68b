"""The small server emulator tests run against (importable by tests; conftest.py builds
it per test as the `program` fixture)."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from emulator import Emulator, P
from emulator.model import Channel, Guild, Member, Role


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
