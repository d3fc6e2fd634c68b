"""Fixtures: a fresh emulator and a connected real bot per test, and a log watchdog.

discord.py only LOGS exceptions raised in event handlers and views, so `fail_on_error_logs`
fails any test during which the `discord` or `bot` loggers record an ERROR.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from emulator import Emulator, wiring
from tests.emulator.program import Program, build_program
from tests.emulator.testbot import ProbeBot


@pytest.fixture(autouse=True)
def fail_on_error_logs() -> Iterator[wiring.ErrorLogWatch]:
    with wiring.ErrorLogWatch(("discord", "bot")) as watch:
        yield watch
    if watch.records:
        pytest.fail("ERROR logged during the test:\n" + watch.report())


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def program(emu: Emulator) -> Program:
    return build_program(emu)


@pytest.fixture
async def bot(emu: Emulator, program: Program) -> AsyncIterator[ProbeBot]:
    client = ProbeBot()
    async with wiring.connected(emu, client):
        await client.tree.sync()
        yield client
