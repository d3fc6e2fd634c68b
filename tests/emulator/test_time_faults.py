"""Faults that last a while (429s, 5xx), stalls, and connections reset with no answer,
and what the real discord.py client does with each."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import discord
import pytest

from emulator import Emulator
from emulator.faults import NO_RESPONSE
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot

SEND = "POST /channels/{channel_id}/messages"
GET_MESSAGE = "GET /channels/{channel_id}/messages/{message_id}"


def text_channel(bot: ProbeBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_a_short_429_storm_is_waited_out(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.faults.rate_limit_for(SEND, 0.3, retry_after=0.1)
    started = time.monotonic()
    sent = await text_channel(bot, program.general.id).send("after the storm")
    assert time.monotonic() - started >= 0.3  # discord.py kept sleeping retry_after
    assert emu.count(SEND, status=429) >= 3
    assert emu.count(SEND, status=200) == 1
    assert [m.id for m in emu.messages_in(program.general)] == [sent.id]


async def test_a_long_429_storm_raises_after_five_tries(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    # discord.py counts 429s against its 5 tries per request: it does not wait forever.
    emu.faults.rate_limit_for(SEND, 5.0, retry_after=0.02)
    with pytest.raises(discord.HTTPException) as raised:
        await text_channel(bot, program.general.id).send("never")
    assert type(raised.value) is discord.HTTPException and raised.value.status == 429
    assert emu.count(SEND, status=429) == 5
    emu.faults.clear()


async def test_a_503_outage_raises_until_it_ends(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    channel = text_channel(bot, program.general.id)
    emu.faults.fail_for(SEND, 0.3)  # 503 by default: discord.py does not retry it
    for _ in range(2):
        with pytest.raises(discord.DiscordServerError) as raised:
            await channel.send("lost")
        assert raised.value.status == 503
    assert emu.messages_in(program.general) == []
    await asyncio.sleep(0.35)  # the outage is measured in real time
    await channel.send("back")
    assert [m.content for m in emu.messages_in(program.general)] == ["back"]
    assert (emu.count(SEND, status=503), emu.count(SEND, status=200)) == (2, 1)
    assert emu.faults.active == []  # expired faults are dropped


async def test_a_502_outage_is_ridden_out_by_discord_py(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.faults.fail_for(SEND, 0.2, status=502)  # discord.py sleeps 1 s, then tries again
    await text_channel(bot, program.general.id).send("eventually")
    assert (emu.count(SEND, status=502), emu.count(SEND, status=200)) == (1, 1)


async def test_stall_holds_requests_then_answers(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.faults.stall(SEND, 0.2, times=1)
    channel = text_channel(bot, program.general.id)
    started = time.perf_counter()
    await channel.send("slowly")
    assert time.perf_counter() - started >= 0.2
    await channel.send("quickly")
    first, second = [r for r in emu.requests if r.key == SEND]
    assert first.duration >= 0.2 and second.duration < 0.2
    assert first.status == second.status == 200


async def test_a_stall_and_a_failure_on_one_request(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.faults.fail_next(SEND, status=503)
    emu.faults.fail_next(SEND, status=503)
    emu.faults.stall(SEND, 0.1, times=1)
    channel = text_channel(bot, program.general.id)
    started = time.perf_counter()
    with pytest.raises(discord.DiscordServerError):
        await channel.send("one")
    assert time.perf_counter() - started >= 0.1  # the stall applies before the failure
    with pytest.raises(discord.DiscordServerError):  # one failing fault per request
        await channel.send("two")
    await channel.send("three")
    assert emu.count(SEND, status=503) == 2


async def test_a_reset_connection_raises_aiohttp_errors_through_discord_py(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    channel = text_channel(bot, program.general.id)
    emu.faults.reset_next(SEND)
    # Not a discord.HTTPException: code that catches only those lets it through.
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await channel.send("did this go through?")
    assert emu.messages_in(program.general) == []  # no effect
    assert emu.count(SEND, status=NO_RESPONSE) == 1
    [record] = [r for r in emu.requests if r.status == NO_RESPONSE]
    assert "reset" in record.detail
    sent = await channel.send("retry")  # the client simply opens a new connection
    assert emu.last_message(program.general).id == sent.id  # type: ignore[union-attr]


async def test_aiohttp_resends_an_idempotent_request_once_after_a_reset(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    said = await emu.say(program.bob, program.general, "hello")
    channel = text_channel(bot, program.general.id)
    emu.faults.reset_next(GET_MESSAGE)
    fetched = await channel.fetch_message(said.id)  # aiohttp resent the GET by itself
    assert fetched.id == said.id
    assert (emu.count(GET_MESSAGE, status=NO_RESPONSE), emu.count(GET_MESSAGE, status=200)) == (
        1,
        1,
    )
    emu.faults.reset_next(GET_MESSAGE, times=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await channel.fetch_message(said.id)
    assert emu.count(GET_MESSAGE, status=NO_RESPONSE) == 3
