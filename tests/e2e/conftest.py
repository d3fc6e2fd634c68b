"""End-to-end fixtures: the real Lantern bot against a fresh local Discord per test.

`emu` is the emulator, `clinic` a small IOP server built in it, `lantern` the running bot
(temporary database, commands synced), `harness` starts/restarts/stops bots on the same
database. Any ERROR logged by discord.py or the bot fails the test (discord.py only logs
exceptions in handlers); a test that expects one calls `error_logs.expect(...)`.
The classes behind them live in harness.py, the steps tests share in steps/.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Iterator

import pytest
import time_machine

from bot.client import LanternBot
from bot.logs import configure_logging
from config.settings import database_path
from emulator import Emulator
from tests.e2e.harness import START, Clinic, ExpectingErrorLogWatch, Harness, build_clinic


@pytest.fixture(autouse=True)
def production_logging(request: pytest.FixtureRequest) -> Iterator[str]:
    """Logging exactly as `python -m bot run` sets it (INFO, text or json): a log call that
    only breaks when its record is really made (an `extra=` key clashing with a LogRecord
    attribute, a formatter choking on a value) breaks here too. Tests alternate the two
    formats by name, so both run across the suite. pytest's own handlers are kept."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("discord").level)
    fmt = "json" if zlib.crc32(request.node.nodeid.encode()) % 2 else "text"
    configure_logging("INFO", fmt)
    root.handlers.extend(saved[0])
    try:
        yield fmt
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("discord").setLevel(saved[2])


@pytest.fixture(autouse=True)
def error_logs(production_logging: str) -> Iterator[ExpectingErrorLogWatch]:
    with ExpectingErrorLogWatch(("discord", "bot", "cogs")) as watch:
        yield watch
    if watch.records:
        pytest.fail("ERROR logged during the test:\n" + watch.report())


@pytest.fixture
def travel() -> Iterator[time_machine.Coordinates]:
    """Wall-clock time for the bot, its scheduler and the emulator; moves only when told."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest.fixture
def clinic(emu: Emulator) -> Clinic:
    return build_clinic(emu)


@pytest.fixture
async def harness(emu: Emulator, clinic: Clinic, database_url: str) -> AsyncIterator[Harness]:
    runner = Harness(emu, database_path(database_url) or database_url)
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def lantern(harness: Harness) -> LanternBot:
    return await harness.start()


@pytest.fixture
async def configured(lantern: LanternBot, clinic: Clinic) -> LanternBot:
    """Lantern with the clinic's /setup already saved."""
    await lantern.guild_configs.save(clinic.config(), lantern.clock.now())
    return lantern
