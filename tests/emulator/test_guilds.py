"""Guild, member, role and overwrite routes through the real client, and their 404s."""

from __future__ import annotations

import discord
import pytest

from emulator import Emulator
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot


async def test_fetching_guild_members_users_and_channels(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    guild = await bot.fetch_guild(program.guild.id, with_counts=True)
    assert guild.name == "Hope IOP" and guild.approximate_member_count == 5
    cached = bot.guilds[0]
    bob = await cached.fetch_member(program.bob.id)
    assert bob.name == "bob"
    everyone = [m async for m in cached.fetch_members(limit=None)]
    assert len(everyone) == 5
    assert (await bot.fetch_user(program.alice.id)).name == "alice"
    channel = await bot.fetch_channel(program.general.id)
    assert isinstance(channel, discord.TextChannel) and channel.topic == "Say hi"


async def test_unknown_things_are_404_with_discords_codes(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    cached = bot.guilds[0]
    cases = [
        (cached.fetch_member(42), 10007),
        (bot.fetch_user(42), 10013),
        (bot.fetch_channel(42), 10003),
        (cached.get_channel(program.general.id).fetch_message(42), 10008),  # type: ignore[union-attr]
        (bot.http.edit_role(program.guild.id, 42, name="x"), 10011),
    ]
    for call, code in cases:
        with pytest.raises(discord.NotFound) as raised:
            await call
        assert raised.value.code == code


async def test_member_edits_roles_nick_and_overwrites(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    cached = bot.guilds[0]
    bob = cached.get_member(program.bob.id)
    assert bob is not None
    facilitator = cached.get_role(program.facilitator.id)
    assert facilitator is not None
    await bob.edit(nick="Bobby", roles=[facilitator])
    assert program.bob.nick == "Bobby" and program.bob.roles == [program.facilitator.id]
    await emu.wait_for(lambda: bob.nick == "Bobby")

    staff = cached.get_channel(program.staff.id)
    assert isinstance(staff, discord.TextChannel)
    carol = cached.get_member(program.carol.id)
    assert carol is not None
    assert not emu.can_view(program.carol, program.staff)
    await staff.set_permissions(carol, view_channel=True)
    assert emu.can_view(program.carol, program.staff)
    await emu.wait_for(lambda: staff.overwrites_for(carol).view_channel is True)
    await staff.set_permissions(carol, overwrite=None)
    assert not emu.can_view(program.carol, program.staff)

    with pytest.raises(discord.Forbidden):  # only administrators may grant MANAGE_ROLES here
        await staff.set_permissions(carol, manage_roles=True)


async def test_kicking_follows_the_hierarchy(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    cached = bot.guilds[0]
    owner = cached.get_member(program.guild.owner_id)
    bob = cached.get_member(program.bob.id)
    assert owner is not None and bob is not None
    with pytest.raises(discord.Forbidden):
        await owner.kick()
    await bob.kick()
    assert program.bob.id not in program.guild.members
    await emu.wait_for(lambda: cached.get_member(program.bob.id) is None)
