"""Issue 14's acceptance test: kill -9 of a real `python -m bot run` at random moments (30
cycles, 0-50 ms after a crisis DM or 0-300 ms after start-up's "ready"; and three times in
the middle of a fan-out of 200 check-in prompts). After the restarts nothing is lost and
nothing is duplicated: crisis alerts, support DMs, check-in prompts.

A person's very first DM, killed within milliseconds of its arrival, is the hardest case:
nothing in the database points at that DM channel yet, a new gateway session replays
nothing and Discord cannot list a bot's DMs. The restart finds it by opening the DMs of the
server's members and reading them from when the last run was known alive.

The scenarios live in kill9.py (bench/kill9_bench.py runs them too). The seed is printed;
rerun one with LANTERN_KILL9_SEED=<seed>. `-s` shows the one-line summaries.
"""

from __future__ import annotations

import os

import pytest

from emulator import Emulator
from tests.e2e.harness import Clinic
from tests.process.harness import BotProcesses
from tests.process.kill9 import checkin_scenario, classify, crisis_scenario, crisis_text

CYCLES = 30
SEED = int(os.environ["LANTERN_KILL9_SEED"]) if os.environ.get("LANTERN_KILL9_SEED") else None


async def test_the_crisis_messages_are_classified_crisis(proc: BotProcesses) -> None:
    texts = [crisis_text(i) for i in range(CYCLES)]
    assert await classify(proc, texts) == ["crisis"] * CYCLES


async def test_kill9_after_crisis_messages_loses_and_duplicates_nothing(
    emu: Emulator, clinic: Clinic, proc: BotProcesses, capsys: pytest.CaptureFixture[str]
) -> None:
    report = await crisis_scenario(emu, clinic, proc, cycles=CYCLES, seed=SEED)
    with capsys.disabled():
        print("\n" + report.details())
    assert len(report.cycles) == CYCLES
    assert report.settled, report.details()
    # Nothing twice: one alert and one support DM per person at most, no message screened
    # again after a restart (a follow-up line in the alert's thread), all in #escalations.
    assert not report.alerts.duplicated, report.details()
    assert not report.support.duplicated, report.details()
    assert report.follow_ups == 0, report.details()
    assert report.stray_alerts == 0, report.details()
    assert report.pending_after == 0 and report.final_exit == 0, report.details()
    # Nothing lost, first DMs included.
    assert not report.alerts.lost, report.details()
    assert not report.support.lost, report.details()


async def test_kill9_mid_fanout_of_200_checkins(
    emu: Emulator, clinic: Clinic, proc: BotProcesses, capsys: pytest.CaptureFixture[str]
) -> None:
    report = await checkin_scenario(emu, clinic, proc, people=200, kills=3, seed=SEED)
    with capsys.disabled():
        print("\n" + report.summary())
    assert report.kills == 3
    # Each kill came mid-way: prompts had started arriving and some were still to come.
    assert all(0 < r.arrived < report.people for r in report.runs[:-1]), report.summary()
    assert report.settled, report.summary()
    assert not report.prompts.lost, report.summary()
    assert not report.prompts.duplicated, report.summary()
    assert report.statuses == {"sent": 200}, report.summary()
    assert report.pending_after == 0 and report.final_exit == 0, report.summary()
