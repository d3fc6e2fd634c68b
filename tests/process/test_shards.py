"""Two `python -m bot run` processes on two shards each, one emulator, one PostgreSQL
database (issue 19): every check-in prompt, session reminder and crisis alert is delivered
exactly once, DMs for the other process's servers are handed over, and when one process is
killed (-9) the other takes its shards over; when it comes back, they are handed back.

Runs in the PostgreSQL pass only (`LANTERN_TEST_POSTGRES`): processes that split the shards
need a shared database, which SQLite is not.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emulator import Emulator
from tests.e2e.steps.common import button_ids
from tests.process.harness import BotProcesses, poll
from tests.process.kill9 import crisis_text, prompt_counts
from tests.process.shards import HOME, alerts, clinics_with_checkins, reminder_counts, spawn

PEOPLE = 25  # per server: 100 prompts over 4 servers, one per shard
LEASE = "3"  # seconds: a dead process's shards move within about that


@pytest.fixture
def pg(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL (set LANTERN_TEST_POSTGRES)")
    return database_url


@pytest.fixture
async def fleet(emu: Emulator, tmp_path: Path, pg: str) -> AsyncIterator[BotProcesses]:
    processes = BotProcesses(emu, tmp_path)
    try:
        yield processes
    finally:
        await processes.close()
        for process in processes.processes:
            print(process.tail(60))
    if processes.unexpected_errors():
        pytest.fail("ERROR logged by a Lantern process:\n" + processes.report())


async def test_two_processes_deliver_everything_once_and_take_over_a_dead_one(
    emu: Emulator, fleet: BotProcesses, pg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    clinics, people, _ = await clinics_with_checkins(emu, pg, PEOPLE, lead=8.0, reminders_after=3.0)
    participants = [m for group in people.values() for m in group]
    a, b = spawn(fleet, pg, HOME["a"], LEASE), spawn(fleet, pg, HOME["b"], LEASE)
    await asyncio.gather(a.start(), b.start())
    await asyncio.gather(a.wait_ready(30), b.wait_ready(30))
    await emu.wait_for(lambda: sorted(emu.gateway.connected_shards()) == [0, 1, 2, 3])

    # A DM reaches the process running shard 0 (a); the person's server is b's.
    on_b = people[2][0]
    await emu.dm(on_b, crisis_text(1))
    await a.watch(emu.wait_for(lambda: alerts(emu, clinics)[on_b.id] == 1, 20.0, what="alert"))
    assert a.find(lambda line: line.message == "DM event handed to another process")
    assert b.find(lambda line: line.message == "crisis pipeline fired")

    # The fan-out starts; b dies in the middle of it.
    everyone = [m.id for group in people.values() for m in group]
    await a.watch(emu.wait_for(lambda: len(prompt_counts(emu)) >= 20, 60.0, what="the fan-out"))
    await b.kill9()
    killed = time.monotonic()
    # While nobody serves shards 2 and 3, someone on shard 3 writes in crisis.
    on_3 = people[3][0]
    await emu.dm(on_3, crisis_text(2))
    await a.watch(
        emu.wait_for(lambda: {2, 3} <= set(emu.gateway.connected_shards()), 30.0, what="takeover")
    )
    takeover = time.monotonic() - killed
    assert a.find(lambda line: line.message == "took over shards of a process that stopped")

    await a.watch(
        emu.wait_for(lambda: len(prompt_counts(emu)) == len(everyone), 90.0, what="prompts")
    )
    await a.watch(
        emu.wait_for(
            lambda: (
                sum(1 for n in reminder_counts(emu, participants).values() if n) == len(everyone)
            ),
            60.0,
            what="session reminders",
        )
    )
    await a.watch(emu.wait_for(lambda: alerts(emu, clinics)[on_3.id] == 1, 30.0, what="alert"))

    # b comes back: its shards are handed back to it.
    b2 = spawn(fleet, pg, HOME["b"], LEASE)
    await b2.start()
    await b2.wait_ready(60)
    await a.watch(poll(lambda: a.find(lambda line: line.message == "shards handed back"), 30.0))
    await emu.wait_for(lambda: sorted(emu.gateway.connected_shards()) == [0, 1, 2, 3], 30.0)
    on_b_again = people[2][1]
    await emu.dm(on_b_again, crisis_text(3))
    await b2.watch(
        emu.wait_for(lambda: alerts(emu, clinics)[on_b_again.id] == 1, 20.0, what="alert")
    )

    # A button on a DM'd prompt: the click reaches a (shard 0), the person's server is b's.
    clicker = people[2][2]
    prompt = next(m for m in emu.dms(clicker) if any(":mood:" in c for c in button_ids(m)))
    mood = next(c for c in button_ids(prompt) if ":mood:" in c and c.endswith(":4"))
    result = await b2.watch(emu.click(clicker, prompt, mood))
    assert result.kind in ("update", "deferred_update"), result
    handed = [line for line in a.find(lambda line: line.get("event") == "INTERACTION_CREATE")]
    assert handed, "the click was handed over to the process serving the person's server"

    counts = prompt_counts(emu)
    assert sorted(counts[p] for p in everyone) == [1] * len(everyone)  # none lost, none twice
    reminders = reminder_counts(emu, participants)
    assert sorted(reminders.values()) == [1] * len(everyone)
    assert alerts(emu, clinics) == Counter({on_b.id: 1, on_3.id: 1, on_b_again.id: 1})
    with capsys.disabled():
        print(
            f"\nshards: 2 processes x 2 shards, {len(everyone)} prompts and reminders, b "
            f"killed -9 after 20+ prompts: lost 0, duplicated 0; takeover of shards 2-3 "
            f"{takeover:.1f} s "
            f"after the kill (lease {LEASE} s)"
        )
