"""Canary: the real client reaches the emulator with NOTHING patched.

discord.py connects to fixed URLs (https://discord.com/api/v10, wss://gateway.discord.gg).
The client gets a connector whose resolver sends those hostnames to 127.0.0.1 and the
emulator's ephemeral port (aiohttp uses the port an AbstractResolver returns), and an SSL
context trusting a local CA (trustme) that signed the emulator's certificate for them.
If a rename inside discord.py ever breaks `wiring.pointed_at`, this test still tells
whether the emulator itself is sound.
"""

from __future__ import annotations

import ssl

import discord
import trustme

from emulator import Emulator, wiring
from tests.emulator.program import build_program
from tests.emulator.testbot import ProbeBot


async def test_unpatched_client_over_tls_with_a_local_resolver() -> None:
    ca = trustme.CA()
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*wiring.DISCORD_HOSTS).configure_cert(server_ssl)
    client_ssl = ssl.create_default_context()
    ca.configure_trust(client_ssl)

    emu = Emulator(ssl_context=server_ssl)
    await emu.start()
    program = build_program(emu)
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    try:
        bot = ProbeBot(connector=wiring.tls_connector(emu, client_ssl))
        async with wiring.connected(emu, bot, patch=False):
            assert discord.http.Route.BASE == "https://discord.com/api/v10"
            await bot.tree.sync()
            result = await emu.invoke(program.bob, program.general, "whisper")
            assert result.content == "just for you"
            await emu.faults.drop_connection()
            await emu.wait_for(lambda: emu.gateway.stats.resumes == 1)
            sent = await emu.say(program.bob, program.general, "over TLS")
            await emu.wait_for(lambda: any(m.id == sent.id for m in bot.cog.seen))
    finally:
        await emu.stop()
