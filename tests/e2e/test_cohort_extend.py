"""`/cohort extend`: a later end date, by program staff or the cohort's own care team;
session series that ran to the old end carry on; bad dates and the wrong people change
nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import time_machine

from bot.client import LanternBot
from cogs.cohorts.api import OUTSIDE_REACH, Membership
from emulator import Emulator
from tests.e2e.harness import Clinic
from tests.e2e.steps.cohorts import create
from tests.e2e.steps.common import confirm, text
from tests.e2e.steps.sessions import add

SPRING, AUTUMN = "Spring Evening", "Autumn Morning"


async def ends_on(bot: LanternBot, clinic: Clinic, name: str) -> date:
    found = await Membership(bot.db).by_name(clinic.guild.id, name)
    assert found is not None
    return found.ends_on


async def occurrences_after(bot: LanternBot, day: str) -> int:
    row = await bot.db.fetch_one(
        "SELECT COUNT(*) FROM session_occurrences WHERE original_start > ?", (day,)
    )
    return int(row[0]) if row else -1


async def test_extend_moves_the_end_and_the_series_carry_on(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    travel.move_to(datetime(2026, 5, 11, 15, tzinfo=UTC))  # eleven days before the end
    await create(emu, clinic, SPRING)
    assert "Added" in await add(emu, clinic, SPRING)
    assert await occurrences_after(configured, "2026-05-23") == 0

    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort extend", cohort=SPRING, end="2026-06-30"
    )
    assert res.ephemeral and "now ends on Jun 30, 2026 (was May 22, 2026)" in text(res), text(res)
    assert await ends_on(configured, clinic, SPRING) == date(2026, 6, 30)
    deadline = asyncio.get_running_loop().time() + 5.0
    while await occurrences_after(configured, "2026-05-23") == 0:  # sessions reacts as a task
        assert asyncio.get_running_loop().time() < deadline, "the series did not carry on"
        await asyncio.sleep(0.01)
    row = await configured.db.fetch_one("SELECT ends_on FROM session_series")
    assert row is not None and row[0] == "2026-06-30"
    await emu.wait_for_message(clinic.mod_log, check=lambda m: "extended" in m.content)


async def test_extend_refuses_bad_dates_and_the_wrong_people(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    travel.move_to(datetime(2026, 5, 11, 15, tzinfo=UTC))
    await create(emu, clinic, SPRING)
    await create(emu, clinic, AUTUMN)
    erin = emu.create_member(clinic.guild, "erin")  # Autumn's care team only
    await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=AUTUMN, member=erin)
    cases = [
        (clinic.alice, SPRING, "2026-05-01", "must be after the current one"),
        (clinic.alice, SPRING, "soon", "isn't a date I understand"),
        (clinic.alice, SPRING, "2027-06-01", "at most a year"),
        (clinic.bob, SPRING, "2026-06-30", "Only facilitators"),
        (erin, SPRING, "2026-06-30", OUTSIDE_REACH),
        (clinic.alice, "Nope", "2026-06-30", "There's no cohort called"),
    ]
    for who, cohort, end, expected in cases:
        res = await emu.invoke(who, clinic.general, "cohort extend", cohort=cohort, end=end)
        assert res.ephemeral and expected in text(res), (end, text(res))
    assert await ends_on(configured, clinic, SPRING) == date(2026, 5, 22)

    theirs = await emu.invoke(
        erin, clinic.general, "cohort extend", cohort=AUTUMN, end="2026-06-05"
    )
    assert "now ends on Jun 05, 2026" in text(theirs), text(theirs)  # their own cohort

    archive = await emu.invoke(clinic.alice, clinic.general, "cohort archive", cohort=SPRING)
    await confirm(emu, clinic.alice, archive)
    archived = await emu.invoke(
        clinic.alice, clinic.general, "cohort extend", cohort=SPRING, end="2026-06-30"
    )
    assert "archived" in text(archived)
    assert await ends_on(configured, clinic, SPRING) == date(2026, 5, 22)
