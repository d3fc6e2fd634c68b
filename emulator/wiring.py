"""Pointing the real discord.py client at the emulator, and running a bot against it.

Two ways:
- `pointed_at(emu)` patches `discord.http.Route.BASE` and
  `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` (restored afterwards). Interaction
  callbacks and webhooks use `Route` too, so that is all it takes. Fast; used by tests.
- `tls_connector(emu, client_ssl)` patches nothing: an `aiohttp.TCPConnector` whose
  resolver sends discord.com, gateway.discord.gg and cdn.discordapp.com to the emulator
  (address *and* port: aiohttp connects to the `port` an `AbstractResolver` returns), with
  an SSL context trusting the CA that signed the emulator's certificate. Pass it to the
  client as `connector=`; the emulator must run with `ssl_context=`. The canary test uses
  it, so a rename inside discord.py shows up at once.

`connected(emu, client)` logs the client in (setup_hook runs), connects it in a task, waits
for on_ready (or the task failing), yields, then closes the client and awaits the task.
Give test clients `guild_ready_timeout=0.05` (on_ready waits that long after the last
GUILD_CREATE), and override `before_identify_hook` with a no-op if a test sends op 9
(discord.py sleeps 5 s before re-identifying).

`ErrorLogWatch` collects ERROR records from chosen loggers: discord.py only LOGS exceptions
raised in event handlers and views, so a test fixture should fail on any (pitfall 9).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import discord
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

from emulator.driver import Emulator

DISCORD_HOSTS = ("discord.com", "gateway.discord.gg", "cdn.discordapp.com")


@contextlib.contextmanager
def pointed_at(emu: Emulator) -> Iterator[None]:
    """Send discord.py's REST calls and gateway connection to `emu` while inside."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = emu.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


class EmulatorResolver(AbstractResolver):
    """Resolves Discord's hostnames to 127.0.0.1:<emulator port>; nothing else resolves."""

    def __init__(self, port: int, hosts: tuple[str, ...] = DISCORD_HOSTS) -> None:
        self.port = port
        self.hosts = hosts

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.hosts:
            raise OSError(f"the emulator resolver only knows {', '.join(self.hosts)}, not {host}")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": self.port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


def tls_connector(emu: Emulator, client_ssl: ssl.SSLContext) -> aiohttp.TCPConnector:
    """A connector for `discord.Client(connector=...)` reaching an HTTPS emulator unpatched."""
    return aiohttp.TCPConnector(resolver=EmulatorResolver(emu.port), ssl=client_ssl, limit=0)


@contextlib.asynccontextmanager
async def connected(
    emu: Emulator,
    client: discord.Client,
    *,
    timeout: float = 10.0,  # noqa: ASYNC109
    patch: bool = True,
) -> AsyncIterator[discord.Client]:
    """Run `client` against `emu` until the block ends (patch=False for the TLS connector)."""
    with pointed_at(emu) if patch else contextlib.nullcontext():
        task: asyncio.Task[None] | None = None
        try:
            await client.login(emu.bot_token)
            task = asyncio.create_task(client.connect(), name="emulated-bot-gateway")
            await _wait_ready(client, task, timeout)
            yield client
        finally:
            await client.close()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


async def _wait_ready(client: discord.Client, task: asyncio.Task[Any], timeout: float) -> None:  # noqa: ASYNC109
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        ready.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ready
    if task in done:
        task.result()
        raise RuntimeError("the bot stopped before it was ready")
    if not done:
        raise TimeoutError(f"the bot was not ready within {timeout}s")


class ErrorLogWatch(logging.Handler):
    """Collects ERROR (and worse) records from loggers named `prefixes` while installed.

    with ErrorLogWatch(("discord", "bot")) as watch:
        ...
    assert not watch.records, watch.report()
    """

    def __init__(self, prefixes: tuple[str, ...] = ("discord", "bot")) -> None:
        super().__init__(level=logging.ERROR)
        self.prefixes = prefixes
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in self.prefixes:
            self.records.append(record)

    def report(self) -> str:
        lines = []
        for r in self.records:
            lines.append(f"{r.name}: {r.getMessage()}")
            if r.exc_info and r.exc_info[1] is not None:
                import traceback

                lines.append("".join(traceback.format_exception(r.exc_info[1]))[-3000:])
        return "\n".join(lines)

    def __enter__(self) -> ErrorLogWatch:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)
