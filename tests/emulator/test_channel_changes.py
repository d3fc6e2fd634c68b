"""An admin changing a channel under a running bot: overwrites, deletion. The bot's cache
follows (CHANNEL_UPDATE / CHANNEL_DELETE) and its requests get Discord's errors."""

from __future__ import annotations

import discord
import pytest

from emulator import Emulator, P
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot


def text_channel(bot: ProbeBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_an_overwrite_denying_send_reaches_the_bot_and_is_enforced(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    role = program.guild.bot_role
    assert role is not None
    channel = text_channel(bot, program.general.id)
    me = channel.guild.me
    emu.set_overwrite(program.general, role, deny=P.SEND_MESSAGES)
    await emu.wait_for(lambda: not channel.permissions_for(me).send_messages)
    assert channel.overwrites_for(channel.guild.get_role(role.id)).send_messages is False  # type: ignore[arg-type]
    with pytest.raises(discord.Forbidden) as raised:
        await channel.send("can I still post?")
    assert raised.value.code == 50013

    emu.remove_overwrite(program.general, role)
    await emu.wait_for(lambda: channel.permissions_for(me).send_messages)
    await channel.send("yes again")


async def test_losing_view_of_a_channel_still_reaches_the_bot(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    role = program.guild.bot_role
    assert role is not None
    channel = text_channel(bot, program.general.id)
    me = channel.guild.me
    emu.set_overwrite(program.general, role, deny=P.VIEW_CHANNEL)
    # Bots hold every channel, so CHANNEL_UPDATE comes even though it can no longer see it.
    await emu.wait_for(lambda: not channel.permissions_for(me).view_channel)
    with pytest.raises(discord.Forbidden) as raised:
        await channel.send("hello?")
    assert raised.value.code == 50001  # Missing Access: it cannot see the channel at all
    said = await emu.say(program.bob, program.general, "the bot cannot see this")

    emu.remove_overwrite(program.general, role)
    await emu.wait_for(lambda: channel.permissions_for(me).view_channel)
    assert all(m.id != said.id for m in bot.cog.seen)
    await channel.send("I'm back")


async def test_a_deleted_channel_leaves_the_cache_and_answers_10003(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    stale = text_channel(bot, program.staff.id)
    emu.delete_channel(program.staff)
    await emu.wait_for(lambda: bot.get_channel(program.staff.id) is None)
    with pytest.raises(discord.NotFound) as raised:
        await stale.send("anyone?")
    assert raised.value.code == 10003
    with pytest.raises(discord.NotFound):
        await bot.fetch_channel(program.staff.id)


async def test_deleting_a_hidden_channel_or_a_category(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    role = program.guild.bot_role
    assert role is not None
    emu.set_overwrite(program.staff, role, deny=P.VIEW_CHANNEL)
    guild = bot.guilds[0]
    staff = guild.get_channel(program.staff.id)
    assert staff is not None
    await emu.wait_for(lambda: not staff.permissions_for(guild.me).view_channel)
    emu.delete_channel(program.staff)  # the bot knew it, so it must learn it is gone
    await emu.wait_for(lambda: guild.get_channel(program.staff.id) is None)

    category = emu.create_channel(program.guild, "Cohort A", kind="category")
    room = emu.create_channel(program.guild, "check-ins", parent=category)
    thread = emu.create_thread(room, "week 1", owner=program.alice)
    await emu.wait_for(lambda: guild.get_channel(room.id) is not None)
    emu.delete_channel(category)  # its channels move out of it, as through REST
    assert room.parent_id is None
    cached = guild.get_channel(room.id)
    assert isinstance(cached, discord.TextChannel)
    await emu.wait_for(lambda: cached.category_id is None)
    emu.delete_channel(room)
    assert thread.id not in program.guild.channels  # threads go with their channel
