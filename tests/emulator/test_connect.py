"""Login, READY/GUILD_CREATE, request log, unknown routes, setup cost."""

from __future__ import annotations

import statistics
import time

import discord
import pytest

from emulator import Emulator, wiring
from tests.emulator.program import Program, build_program
from tests.emulator.testbot import ProbeBot


async def test_bot_logs_in_and_sees_the_guild_with_every_member(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    assert bot.user is not None and bot.user.id == emu.bot_user_id
    assert bot.application_id == emu.application_id
    guild = bot.get_guild(program.guild.id)
    assert guild is not None
    assert guild.member_count == len(program.guild.members) == len(guild.members) == 5
    assert guild.chunked
    assert {c.name for c in guild.text_channels} == {"general", "staff"}
    assert guild.me.top_role.managed
    assert emu.count("GET /users/@me") == 1
    assert emu.count("/oauth2/applications/@me", method="GET") == 1


async def test_messages_are_dispatched_and_counted(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    sent = await emu.say(program.bob, program.general, "hello there")
    seen = await emu.wait_for(lambda: [m for m in bot.cog.seen if m.id == sent.id])
    assert seen[0].content == "hello there"
    assert seen[0].author.id == program.bob.id

    channel = bot.get_channel(program.general.id)
    assert isinstance(channel, discord.TextChannel)
    reply = await channel.send("welcome!")
    assert reply.id == emu.last_message(program.general).id  # type: ignore[union-attr]
    assert emu.count("POST /channels/{channel_id}/messages") == 1
    history = [m async for m in channel.history(limit=10)]
    assert [m.content for m in history] == ["welcome!", "hello there"]


async def test_unknown_route_is_loud_and_recorded(
    emu: Emulator, bot: ProbeBot, program: Program
) -> None:
    route = discord.http.Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=program.guild.id)
    with pytest.raises(discord.NotFound):
        await bot.http.request(route)
    assert emu.unknown_routes == [f"GET /api/v10/guilds/{program.guild.id}/audit-logs"]


async def test_fresh_emulator_and_connected_bot_is_cheap() -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        emu = Emulator()
        await emu.start()
        build_program(emu)
        client = ProbeBot()
        async with wiring.connected(emu, client):
            timings.append(time.perf_counter() - started)
        await emu.stop()
    median = statistics.median(timings)
    print(f"\nfresh emulator + connected bot: median {median * 1000:.0f} ms over {len(timings)}")
    assert median < 0.5
