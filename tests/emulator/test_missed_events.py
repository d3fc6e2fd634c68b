"""Events the bot never gets (a failed RESUME, or no bot running at all), and catching up
from channel history, whose order and paging match Discord's."""

from __future__ import annotations

import discord

from emulator import Emulator, P, wiring
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot

HISTORY = "GET /channels/{channel_id}/messages"


def text_channel(bot: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_a_failed_resume_loses_what_was_said_meanwhile(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    before = await emu.say(program.bob, program.general, "before")
    await emu.wait_for(lambda: any(m.id == before.id for m in bot.cog.seen))
    await emu.faults.drop_connection(resumable=False)
    missed = await emu.say(program.bob, program.general, "while you were away")
    await emu.wait_for(lambda: emu.gateway.stats.identifies == 2 and emu.gateway.connected)
    after = await emu.say(program.bob, program.general, "welcome back")
    await emu.wait_for(lambda: any(m.id == after.id for m in bot.cog.seen))
    assert emu.gateway.stats.resumes == 0  # its RESUME got op 9; it identified afresh
    assert all(m.id != missed.id for m in bot.cog.seen)  # never replayed
    assert any(e.data["id"] == str(missed.id) for e in emu.events_for(program.alice))

    # Catching up: what came after the last message it saw.
    channel = text_channel(bot, program.general.id)
    caught_up = [m async for m in channel.history(after=discord.Object(before.id))]
    assert [m.id for m in caught_up] == [missed.id, after.id]


async def test_a_resumable_drop_still_replays(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    await emu.faults.drop_connection(resumable=True)
    missed = await emu.say(program.bob, program.general, "while you were away")
    await emu.wait_for(lambda: any(m.id == missed.id for m in bot.cog.seen))
    assert (emu.gateway.stats.resumes, emu.gateway.stats.identifies) == (1, 1)


async def test_people_talk_while_no_bot_runs_and_a_later_bot_reads_it(
    emu: Emulator, program: Program
) -> None:
    # No bot fixture: nothing is connected to the gateway while these are posted.
    assert not emu.gateway.connected
    said = [await emu.say(program.bob, program.general, f"message {i}") for i in range(5)]
    dm = await emu.dm(program.bob, "are you there?")
    assert [m.id for m in emu.messages_in(program.general)] == [m.id for m in said]

    client = ProbeBot()
    async with wiring.connected(emu, client):
        assert client.cog.seen == []  # nothing replayed on a fresh IDENTIFY
        channel = text_channel(client, program.general.id)
        read = [m async for m in channel.history(after=discord.Object(said[0].id), limit=None)]
        assert [m.content for m in read] == [f"message {i}" for i in range(1, 5)]

        # Discord's raw order is newest first for every query; `after` pages from the
        # oldest end (the `limit` messages right after the id), `before` from the newest.
        ids = [m.id for m in said]
        after = await client.http.logs_from(program.general.id, 2, after=ids[0])
        assert [int(m["id"]) for m in after] == [ids[2], ids[1]]
        before = await client.http.logs_from(program.general.id, 2, before=ids[4])
        assert [int(m["id"]) for m in before] == [ids[3], ids[2]]
        newest = await client.http.logs_from(program.general.id, 2)
        assert [int(m["id"]) for m in newest] == [ids[4], ids[3]]
        around = await client.http.logs_from(program.general.id, 3, around=ids[2])
        assert [int(m["id"]) for m in around] == [ids[3], ids[2], ids[1]]

        # DMs keep history too.
        bob = await client.fetch_user(program.bob.id)
        dm_channel = await bob.create_dm()
        assert [m.id async for m in dm_channel.history(limit=5)] == [dm.id]


async def test_history_without_read_message_history_is_empty_not_an_error(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    await emu.say(program.bob, program.general, "hello")
    assert program.guild.bot_role is not None
    emu.set_overwrite(program.general, program.guild.bot_role, deny=P.READ_MESSAGE_HISTORY)
    channel = text_channel(bot, program.general.id)
    assert [m async for m in channel.history(limit=10)] == []
    assert emu.count(HISTORY, status=200) == 1
