"""Create Message's nonce rules, people deleting messages, one thread per message."""

from __future__ import annotations

import asyncio

import discord
import pytest

from emulator import DriverError, Emulator, NotAllowed
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot

SEND = "POST /channels/{channel_id}/messages"


def text_channel(bot: ProbeBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


def raw_send(bot: ProbeBot, channel_id: int, body: dict[str, object]) -> object:
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    return bot.http.request(route, json=body)


# --- nonce ---------------------------------------------------------------------------------


async def test_a_retried_send_with_the_same_nonce_posts_once(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    channel = text_channel(bot, program.general.id)
    first = await channel.send("Session moved to 7pm", nonce="reminder-42")
    again = await channel.send("Session moved to 7pm", nonce="reminder-42")
    assert again.id == first.id
    assert [m.id for m in emu.messages_in(program.general)] == [first.id]
    assert emu.count(SEND, status=200) == 2
    assert len(emu.events_for(program.bob, "MESSAGE_CREATE")) == 1  # dispatched once

    emu.clock.advance(minutes=5, seconds=1)  # Discord only remembers nonces for a few minutes
    later = await channel.send("Session moved to 7pm", nonce="reminder-42")
    assert later.id != first.id
    assert len(emu.messages_in(program.general)) == 2


async def test_the_nonce_is_per_author_and_channel_and_needs_enforce_nonce(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    general = text_channel(bot, program.general.id)
    staff = text_channel(bot, program.staff.id)
    here = await general.send("hi", nonce=7)  # discord.py sends it as "7", enforce_nonce true
    elsewhere = await staff.send("hi", nonce=7)
    assert here.id != elsewhere.id
    # Without enforce_nonce Discord only echoes the nonce: duplicates are created.
    await raw_send(bot, program.general.id, {"content": "dup", "nonce": "n-1"})
    await raw_send(bot, program.general.id, {"content": "dup", "nonce": "n-1"})
    assert [m.content for m in emu.messages_in(program.general)] == ["hi", "dup", "dup"]
    # An integer nonce (as a raw body may carry) matches the same string.
    body = {"content": "int", "nonce": 7, "enforce_nonce": True}
    echoed: dict[str, object] = await raw_send(bot, program.general.id, body)  # type: ignore[assignment]
    assert echoed["id"] == str(here.id) and echoed["content"] == "hi"


async def test_a_nonce_over_25_characters_is_400_50035(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    with pytest.raises(discord.HTTPException) as raised:
        await text_channel(bot, program.general.id).send("x", nonce="n" * 26)
    assert (raised.value.status, raised.value.code) == (400, 50035)
    assert "In nonce: Must be 25 or fewer in length." in raised.value.text
    assert emu.messages_in(program.general) == []


async def test_nonce_dedupes_dms_too(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    bob = bot.get_user(program.bob.id)
    assert bob is not None
    first = await bob.send("How was today?", nonce="checkin-bob-1")
    again = await bob.send("How was today?", nonce="checkin-bob-1")
    assert first.id == again.id
    assert [m.content for m in emu.dms(program.bob)] == ["How was today?"]


# --- people deleting messages --------------------------------------------------------------


async def test_a_moderator_deletes_the_bots_message(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    sent = await text_channel(bot, program.general.id).send("Tonight: group at 7")
    stored = emu.last_message(program.general)
    assert stored is not None and stored.id == sent.id
    deleted = asyncio.ensure_future(bot.wait_for("raw_message_delete", timeout=5))
    await emu.delete_message(stored, by=program.alice)  # alice has Manage Messages
    event: discord.RawMessageDeleteEvent = await deleted
    assert (event.message_id, event.channel_id, event.guild_id) == (
        sent.id,
        program.general.id,
        program.guild.id,
    )
    assert event.cached_message is not None and event.cached_message.id == sent.id
    assert emu.messages_in(program.general) == []
    with pytest.raises(discord.NotFound) as raised:
        await sent.edit(content="Tonight: group at 8")
    assert raised.value.code == 10008


async def test_who_may_delete_what(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    by_alice = await emu.say(program.alice, program.general, "welcome all")
    with pytest.raises(NotAllowed, match="MANAGE_MESSAGES"):
        await emu.delete_message(by_alice, by=program.bob)
    by_bob = await emu.say(program.bob, program.general, "oops, wrong channel")
    await emu.delete_message(by_bob, by=program.bob)  # one's own message needs nothing
    with pytest.raises(DriverError, match="already deleted"):
        await emu.delete_message(by_bob)
    await emu.delete_message(by_alice)  # an admin, unchecked
    await emu.wait_for(
        lambda: {by_alice.id, by_bob.id} <= {e.message_id for e in bot.cog.deleted},
        what="both deletions to reach the bot",
    )
    bob = bot.get_user(program.bob.id)
    assert bob is not None
    await bob.send("How was today?")
    [from_bot] = emu.dms(program.bob)
    with pytest.raises(NotAllowed, match="DM"):  # nobody deletes the other side of a DM
        await emu.delete_message(from_bot, by=program.bob)
    own = await emu.dm(program.bob, "never mind")
    await emu.delete_message(own, by=program.bob)
    await emu.wait_for(lambda: any(e.message_id == own.id for e in bot.cog.deleted))


async def test_deleting_in_a_channel_the_bot_cannot_see_is_not_dispatched_to_it(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    hidden = emu.create_channel(
        program.guild,
        "notes",
        overwrites={program.guild.bot_role: discord.PermissionOverwrite(view_channel=False)},
    )
    note = await emu.say(program.alice, hidden, "private")
    await emu.delete_message(note, by=program.alice)
    visible = await emu.say(program.alice, program.general, "x")
    await emu.delete_message(visible, by=program.alice)
    await emu.wait_for(lambda: any(e.message_id == visible.id for e in bot.cog.deleted))
    assert all(e.message_id != note.id for e in bot.cog.deleted)
    assert len(emu.events_for(program.alice, "MESSAGE_DELETE")) == 2  # alice sees both


# --- threads from messages -----------------------------------------------------------------


async def test_a_message_starts_one_thread_only(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    asked = await emu.say(program.bob, program.general, "can we talk about sleep?")
    message = await text_channel(bot, program.general.id).fetch_message(asked.id)
    thread = await message.create_thread(name="sleep")
    assert thread.id == asked.id == message.id  # Discord: the thread takes the message's id
    with pytest.raises(discord.HTTPException) as raised:
        await message.create_thread(name="sleep again")
    assert (raised.value.status, raised.value.code) == (400, 160004)
    with pytest.raises(DriverError, match="160004"):
        emu.create_thread(program.general, "by hand", owner=program.alice, message=asked)

    other = await emu.say(program.bob, program.general, "and about food?")
    by_hand = emu.create_thread(program.general, "food", owner=program.alice, message=other)
    assert by_hand.id == other.id
    fetched = await text_channel(bot, program.general.id).fetch_message(other.id)
    with pytest.raises(discord.HTTPException) as raised:
        await fetched.create_thread(name="food again")
    assert raised.value.code == 160004
