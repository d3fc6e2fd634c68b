"""What the benches share: Lantern running, configured, against a fresh emulator."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.client import LanternBot
from emulator import Emulator, wiring
from tests.e2e.harness import Clinic, Harness, build_clinic


@dataclass
class Lab:
    emu: Emulator
    clinic: Clinic
    harness: Harness
    bot: LanternBot
    errors: wiring.ErrorLogWatch
    """ERROR records logged while the lab ran (they stay readable afterwards)."""


@asynccontextmanager
async def configured_lantern(
    database: str | None = None, **emulator_options: Any
) -> AsyncIterator[Lab]:
    """Lantern started on a temporary database with the demo clinic's /setup saved; stopped
    at the end even after an error (a bot left connected keeps the emulator from stopping)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        wiring.ErrorLogWatch(("discord", "bot", "cogs")) as errors,
    ):
        async with Emulator(**emulator_options) as emu:
            clinic = build_clinic(emu)
            harness = Harness(emu, database or Path(tmp) / "bench.db")
            bot = await harness.start()
            try:
                await bot.guild_configs.save(clinic.config(), bot.clock.now())
                yield Lab(emu, clinic, harness, bot, errors)
            finally:
                await harness.stop()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@asynccontextmanager
async def throwaway_postgres() -> AsyncIterator[str]:
    """A new empty database on the server LANTERN_TEST_POSTGRES names (`source
    .ci/postgres` starts one), dropped afterwards: its URL."""
    import os
    import secrets

    import asyncpg

    server = os.environ.get("LANTERN_TEST_POSTGRES")
    if not server:
        raise SystemExit("set LANTERN_TEST_POSTGRES first (source .ci/postgres starts a server)")
    name = f"bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{server}/postgres")
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
