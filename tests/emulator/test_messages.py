"""Message features through the real client: files, replies, edits, deletes, reactions,
threads, roles created by the bot, limits."""

from __future__ import annotations

import io
import time

import discord
import pytest

from emulator import Emulator
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot


def text_channel(bot: ProbeBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_files_keep_their_bytes(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    channel = text_channel(bot, program.general.id)
    sent = await channel.send("notes", file=discord.File(io.BytesIO(b"week 1 notes"), "notes.txt"))
    [stored] = emu.last_message(program.general).attachments  # type: ignore[union-attr]
    assert (stored.filename, stored.data) == ("notes.txt", b"week 1 notes")
    assert await sent.attachments[0].read() == b"week 1 notes"


async def test_edit_reply_react_delete(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    asked = await emu.say(program.bob, program.general, "anyone there?")
    channel = text_channel(bot, program.general.id)
    question = await channel.fetch_message(asked.id)
    answer = await question.reply("yes!")
    await answer.edit(content="yes, we are here")
    await question.add_reaction("👋")
    stored = emu.last_message(program.general)
    assert stored is not None and stored.content == "yes, we are here"
    assert stored.reference == {
        "type": 0,
        "message_id": str(asked.id),
        "channel_id": str(program.general.id),
        "guild_id": str(program.guild.id),
    }
    assert stored.edited_at is not None
    assert asked.reactions == {"👋": {emu.bot_user_id}}
    await question.delete()
    assert asked.deleted
    assert [e.type for e in emu.events_for(program.bob)][-1] == "MESSAGE_DELETE"


async def test_bulk_delete_needs_manage_messages(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    for i in range(3):
        await emu.say(program.bob, program.general, f"spam {i}")
    channel = text_channel(bot, program.general.id)
    deleted = await channel.purge(limit=10)
    assert len(deleted) == 3
    assert emu.messages_in(program.general) == []
    assert emu.count("POST /channels/{channel_id}/messages/bulk-delete") == 1


async def test_discord_limits_are_enforced(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    channel = text_channel(bot, program.general.id)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as empty:
        await bot.http.send_message(
            channel.id, params=discord.http.handle_message_parameters(content="")
        )
    assert empty.value.code == 50006


async def test_public_thread_from_a_message(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    asked = await emu.say(program.bob, program.general, "topic for later")
    question = await text_channel(bot, program.general.id).fetch_message(asked.id)
    thread = await question.create_thread(name="later")
    assert thread.id == asked.id
    await thread.send("let's discuss")
    await emu.say(program.bob, program.guild.channels[thread.id], "ok")
    assert [
        m.content for m in emu.visible_messages(program.alice, program.guild.channels[thread.id])
    ] == ["let's discuss", "ok"]


async def test_roles_created_by_the_bot_sit_just_above_everyone(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    guild = bot.guilds[0]
    role = await guild.create_role(
        name="cohort-a", permissions=discord.Permissions(send_messages=True)
    )
    assert program.guild.roles[role.id].position == 1
    assert program.facilitator.position == 2
    with pytest.raises(discord.Forbidden):
        await guild.create_role(
            name="too strong", permissions=discord.Permissions(administrator=True)
        )
    await emu.wait_for(lambda: guild.get_role(role.id) is not None)


async def test_members_write_to_the_bot(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    sent = await emu.dm(program.bob, "I need help")
    await emu.wait_for(lambda: any(m.id == sent.id for m in bot.cog.seen))
    received = next(m for m in bot.cog.seen if m.id == sent.id)
    assert isinstance(received.channel, discord.DMChannel)
    await received.channel.send("We're here.")
    assert [m.content for m in emu.dms(program.bob)] == ["We're here."]


async def test_dispatch_rate_can_be_measured(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    before = len(bot.cog.seen)
    emu.gateway.stats.reset()
    started = time.perf_counter()
    for i in range(200):
        await emu.say(program.bob, program.general, f"message {i}")
    await emu.wait_for(lambda: len(bot.cog.seen) - before == 200)
    handled = 200 / (time.perf_counter() - started)
    sent = emu.gateway.stats.dispatch_rate()
    print(f"\nMESSAGE_CREATE: emulator sent {sent:.0f}/s, bot handled {handled:.0f}/s")
    assert emu.gateway.stats.dispatched == 200
