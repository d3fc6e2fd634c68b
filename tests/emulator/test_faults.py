"""Rate limits, injected faults, gateway drops and reconnects, interaction deadlines."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import discord
import pytest

from emulator import BotDidNotRespond, Emulator
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot

SEND = "POST /channels/{channel_id}/messages"


def text_channel(bot: ProbeBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_global_429s_are_retried_by_discord_py(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    rooms = [emu.create_channel(program.guild, f"room-{i}") for i in range(8)]
    await emu.wait_for(lambda: all(bot.get_channel(r.id) for r in rooms))
    emu.ratelimits.enabled = True
    emu.ratelimits.configure_global(5, per=0.2)
    await asyncio.gather(*(text_channel(bot, r.id).send("hi") for r in rooms))
    assert all(emu.last_message(r) is not None for r in rooms)
    assert emu.count(SEND, status=429) >= 1
    assert emu.count(SEND, status=200) == 8


async def test_bucket_headers_make_discord_py_wait_instead_of_hitting_429(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.ratelimits.enabled = True
    emu.ratelimits.configure(SEND, limit=2, per=0.2)
    channel = text_channel(bot, program.general.id)
    started = time.perf_counter()
    for i in range(5):
        await channel.send(f"message {i}")
    assert time.perf_counter() - started >= 0.4
    assert emu.count(SEND, status=429) == 0
    assert len(emu.messages_in(program.general)) == 5


async def test_an_injected_429_is_retried(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    emu.faults.rate_limit_next(SEND, times=2, retry_after=0.05)
    await text_channel(bot, program.general.id).send("eventually")
    assert emu.count(SEND, status=429) == 2
    assert emu.count(SEND, status=200) == 1


async def test_injected_server_errors(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    channel = text_channel(bot, program.general.id)
    emu.faults.fail_next(SEND, status=503)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("lost")
    emu.faults.fail_next("/channels/*/messages", status=500)  # discord.py retries 500 after 1 s
    await channel.send("kept")
    assert [m.content for m in emu.messages_in(program.general)] == ["kept"]
    assert emu.count(SEND, status=500) == 1


async def test_a_fault_can_name_one_channel(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    emu.faults.fail_next(f"POST /channels/{program.staff.id}/messages", status=503)
    await text_channel(bot, program.general.id).send("elsewhere: untouched")
    with pytest.raises(discord.DiscordServerError):
        await text_channel(bot, program.staff.id).send("lost")
    assert [m.content for m in emu.messages_in(program.general)] == ["elsewhere: untouched"]
    assert emu.messages_in(program.staff) == []


async def test_slow_route(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    emu.faults.slow(SEND, delay=0.2, times=1)
    started = time.perf_counter()
    await text_channel(bot, program.general.id).send("slowly")
    assert time.perf_counter() - started >= 0.2


async def test_a_dropped_connection_resumes_and_replays_missed_events(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    await emu.faults.drop_connection()
    assert not emu.gateway.connected
    missed = await emu.say(program.bob, program.general, "while you were away")
    await emu.wait_for(lambda: emu.gateway.stats.resumes == 1)
    await emu.wait_for(lambda: any(m.id == missed.id for m in bot.cog.seen))
    assert emu.gateway.stats.identifies == 1


async def test_op7_reconnect_is_followed_by_resume(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.faults.send_reconnect()
    await emu.wait_for(lambda: emu.gateway.stats.resumes == 1)
    sent = await emu.say(program.bob, program.general, "after reconnect")
    await emu.wait_for(lambda: any(m.id == sent.id for m in bot.cog.seen))


async def test_op9_invalid_session_makes_the_bot_identify_again(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.faults.invalidate_session()
    await emu.wait_for(lambda: emu.gateway.stats.identifies == 2)
    await emu.wait_for(lambda: emu.gateway.connected and bot.is_ready())
    result = await emu.invoke(program.bob, program.general, "whisper")
    assert result.content == "just for you"


async def test_a_late_first_response_is_rejected_with_10062(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    emu.config.interaction_deadline = 0.1
    bot.cog.slow_for = 0.3
    with pytest.raises(BotDidNotRespond, match=r"after the 0\.1s deadline"):
        await emu.invoke(program.bob, program.general, "slow")
    await emu.wait_for(lambda: bot.cog.errors)
    [error] = bot.cog.errors
    assert isinstance(error, discord.NotFound) and error.code == 10062


async def test_interaction_tokens_expire_after_15_minutes(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.bob, program.general, "later", settle=False)
    emu.clock.advance(minutes=16)
    bot.cog.gate.set()
    await emu.wait_for(lambda: bot.cog.errors)
    [error] = bot.cog.errors
    assert isinstance(error, discord.HTTPException) and (error.status, error.code) == (401, 50027)
    assert result.loading


async def test_a_second_initial_response_is_400_40060(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.bob, program.general, "whisper")
    inter = result.interaction
    url = f"{emu.api_base}/interactions/{inter.id}/{inter.token}/callback"
    body = {"type": 4, "data": {"content": "again"}}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        assert response.status == 400
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["code"] == 40060


async def test_rate_limit_headers_and_429_shape() -> None:
    emu = Emulator(rate_limits=True)
    await emu.start()
    emu.ratelimits.configure("GET /users/@me", limit=1, per=5.0)
    url = f"{emu.api_base}/users/@me"
    try:
        async with aiohttp.ClientSession() as anonymous, anonymous.get(url) as refused:
            assert refused.status == 401
        emu.ratelimits.reset()
        headers = {"Authorization": f"Bot {emu.bot_token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.get(url) as ok:
                assert ok.status == 200
                assert ok.headers["X-RateLimit-Limit"] == "1"
                assert ok.headers["X-RateLimit-Remaining"] == "0"
                assert float(ok.headers["X-RateLimit-Reset-After"]) > 4
                assert ok.headers["X-RateLimit-Bucket"]
            async with session.get(url) as limited:
                assert limited.status == 429
                assert limited.headers["Via"] == "1.1 google"
                assert int(limited.headers["Retry-After"]) >= 1
                body = await limited.json()
                assert body["global"] is False and body["retry_after"] > 4
    finally:
        await emu.stop()
    assert emu.count("GET /users/@me", status=429) == 1
