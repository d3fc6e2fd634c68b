"""Fixtures for tests that run Lantern as a real process (see harness.py).

`emu` is a fresh emulator on a real port, `clinic` the e2e suite's small IOP server in it,
`proc` spawns `python -m bot run` processes on one temporary database (`proc.configure(...)`
saves /setup first). At teardown every process still running is killed, then any ERROR
record (or plain traceback) a process wrote fails the test, unless the test called
`bot.expect_error(fragment)` for it. ERROR records from the emulator itself fail it too.
A failing test shows the end of each process's output ("Captured stdout teardown").
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from emulator import Emulator, wiring
from tests.e2e.harness import Clinic, build_clinic
from tests.process.harness import BotProcesses


@pytest.fixture(autouse=True)
def emulator_errors() -> Iterator[wiring.ErrorLogWatch]:
    """The emulator runs here: a crash in one of its handlers fails the test."""
    with wiring.ErrorLogWatch(("bot",)) as watch:
        yield watch
    if watch.records:
        pytest.fail("ERROR logged in the test process:\n" + watch.report())


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:  # 127.0.0.1, an ephemeral port
        yield emulator


@pytest.fixture
def clinic(emu: Emulator) -> Clinic:
    return build_clinic(emu)


@pytest.fixture
async def proc(emu: Emulator, tmp_path: Path) -> AsyncIterator[BotProcesses]:
    if os.environ.get("LANTERN_TEST_POSTGRES"):
        # These processes keep a SQLite file (restarts, kill -9): the first CI pass runs
        # them; the PostgreSQL pass runs the multi-process tests (test_shards.py).
        pytest.skip("single-process SQLite test: run in the SQLite pass")
    processes = BotProcesses(emu, tmp_path)
    try:
        yield processes
    finally:
        await processes.close()  # before the emulator stops: no reconnect storm at exit
        for process in processes.processes:  # pytest shows it only when the test fails
            print(process.tail(60))
    if processes.unexpected_errors():
        pytest.fail("ERROR logged by a Lantern process:\n" + processes.report())
