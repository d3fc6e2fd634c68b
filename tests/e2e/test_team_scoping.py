"""Per command: a facilitator on cohort A's care team sees and changes nothing of cohort B's
people, and can do the same for cohort A's.

Erin is on Spring Evening's team only (not program staff). Every command that shows or
changes a cohort's people is run by her for Autumn Morning (Dev's cohort): each is refused
privately with the same words, shows nothing of Dev, and changes nothing in the database.
The same commands for Spring Evening (Bob's cohort) work. Program-wide commands stay program
staff's. The tests in test_teams.py, test_team_alerts.py, test_alumni_roster.py and
test_cohort_extend.py cover the lists and alerts; README "Care teams" counts them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from bot.client import LanternBot
from cogs.cohorts.api import OUTSIDE_REACH
from emulator import Emulator
from emulator.model import Member
from tests.e2e.harness import Clinic
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import text
from tests.e2e.steps.sessions import add, cohort_of, utc

SPRING, AUTUMN = "Spring Evening", "Autumn Morning"


@dataclass
class Side:
    """One cohort as the tests see it: its person, a series and its first session."""

    cohort: str
    person: Member
    series: str
    session: str


@dataclass
class Scene:
    erin: Member
    mine: Side
    other: Side


async def _side(emu: Emulator, clinic: Clinic, bot: LanternBot, cohort: str, who: Member) -> Side:
    await enroll(emu, clinic, who, cohort)
    await agree(emu, who, agreement_message(emu, who))
    await add(emu, clinic, cohort, title=f"Group {cohort}")
    found = await cohort_of(bot, clinic, cohort)
    row = await bot.db.fetch_one(
        "SELECT id AS session, series_id AS series FROM session_occurrences"
        " WHERE cohort_id = ? ORDER BY starts_at LIMIT 1",
        (found.id,),
    )
    assert row is not None
    return Side(cohort, who, str(row["series"]), str(row["session"]))


@pytest.fixture
async def scene(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> Scene:
    await create(emu, clinic, SPRING)
    await create(emu, clinic, AUTUMN)
    dev = emu.create_member(clinic.guild, "dev")
    mine = await _side(emu, clinic, configured, SPRING, clinic.bob)
    other = await _side(emu, clinic, configured, AUTUMN, dev)
    erin = emu.create_member(clinic.guild, "erin")
    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort team add", cohort=SPRING, member=erin
    )
    assert "Added" in text(res), text(res)
    # An admin opened every command to everyone: Lantern's own checks are what stop Erin.
    for command in ("cohort", "session", "attendance", "checkin", "conversation", "crisis"):
        emu.override_command(clinic.guild, command, clinic.guild)
    return Scene(erin, mine, other)


Options = Callable[[Side], dict[str, Any]]

# Every command that shows or changes a cohort's people, with its options for one side.
SCOPED: list[tuple[str, Options]] = [
    ("checkin history", lambda s: {"member": s.person}),
    ("conversation log", lambda s: {"member": s.person}),
    ("crisis log", lambda s: {"member": s.person}),
    ("cohort info", lambda s: {"cohort": s.cohort}),
    ("cohort report", lambda s: {"cohort": s.cohort}),
    ("cohort extend", lambda s: {"cohort": s.cohort, "end": "2026-12-31"}),
    ("cohort graduate member", lambda s: {"member": s.person, "cohort": s.cohort}),
    ("cohort graduate all", lambda s: {"cohort": s.cohort}),
    ("cohort archive", lambda s: {"cohort": s.cohort}),
    ("session list", lambda s: {"cohort": s.cohort}),
    ("session rsvps", lambda s: {"session": s.session}),
    ("session add", lambda s: {"cohort": s.cohort, "title": "Extra", "weekdays": "Tue",
                               "time": "10:00", "duration": "1h"}),
    ("session move", lambda s: {"session": s.session, "time": "17:00"}),
    ("session cancel", lambda s: {"session": s.session}),
    ("session delete", lambda s: {"series": s.series}),
    ("session reminders", lambda s: {"lead_times": "5m", "cohort": s.cohort}),
    ("attendance", lambda s: {"cohort": s.cohort}),
]  # fmt: skip

STATE = [
    "SELECT id, status, ends_on FROM cohorts ORDER BY id",
    "SELECT cohort_id, user_id, status FROM enrollments ORDER BY cohort_id, user_id",
    "SELECT id, status FROM session_series ORDER BY id",
    "SELECT id, starts_at, status FROM session_occurrences ORDER BY id",
    "SELECT * FROM session_settings ORDER BY cohort_id",
]


async def state(bot: LanternBot) -> list[list[tuple[Any, ...]]]:
    """What the commands could change, for 'nothing changed' checks."""
    return [[tuple(row) for row in await bot.db.fetch_all(query)] for query in STATE]


@pytest.mark.parametrize(("command", "options"), SCOPED, ids=[c for c, _ in SCOPED])
async def test_a_team_member_is_refused_every_other_cohorts_person_and_nothing_changes(
    emu: Emulator, clinic: Clinic, configured: LanternBot, scene: Scene,
    command: str, options: Options,
) -> None:  # fmt: skip
    before = await state(configured)
    res = await emu.invoke(scene.erin, clinic.general, command, options=options(scene.other))
    assert res.ephemeral and OUTSIDE_REACH in text(res), text(res)
    shown = text(res).replace(OUTSIDE_REACH, "")
    assert f"<@{scene.other.person.user.id}>" not in shown and "Autumn" not in shown, shown
    assert not (res.message and res.message.attachments)
    assert await state(configured) == before


async def test_the_same_commands_work_for_the_team_members_own_cohort(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    scene: Scene,
    travel: time_machine.Coordinates,
) -> None:
    # Read-only first, then the changes, then what ends the cohort (graduate, archive).
    order = [
        "checkin history", "conversation log", "crisis log", "cohort info", "cohort report",
        "session list", "session rsvps", "session reminders", "session add", "session move",
        "attendance", "session cancel", "session delete", "cohort extend",
        "cohort graduate member", "cohort graduate all", "cohort archive",
    ]  # fmt: skip
    assert sorted(order) == sorted(c for c, _ in SCOPED)
    table = dict(SCOPED)
    for command in order:
        if command == "attendance":  # the first session has to have started
            travel.move_to(utc(2026, 3, 3, 4))
        if command == "session cancel":
            travel.move_to(utc(2026, 3, 3, 5))  # a later session than the one moved
            row = await configured.db.fetch_one(
                "SELECT id FROM session_occurrences WHERE series_id = ? AND starts_at > ?"
                " AND status = 'scheduled' ORDER BY starts_at LIMIT 1",
                (int(scene.mine.series), "2026-03-03T05:00:00+00:00"),
            )
            assert row is not None
            scene.mine.session = str(row["id"])
        res = await emu.invoke(scene.erin, clinic.general, command, options=table[command](
            scene.mine))  # fmt: skip
        assert OUTSIDE_REACH not in text(res), (command, text(res))
        assert "Only facilitators" not in text(res), (command, text(res))


async def test_session_lists_as_you_type_offer_only_the_team_members_cohorts(
    emu: Emulator, clinic: Clinic, scene: Scene
) -> None:
    for command, option in (("session cancel", "session"), ("session delete", "series")):
        offered = await emu.autocomplete(scene.erin, clinic.general, command, option, "")
        names = " ".join(c.name for c in offered)
        assert "Spring" in names and "Autumn" not in names, (command, names)


async def test_program_wide_commands_stay_with_program_staff(
    emu: Emulator, clinic: Clinic, configured: LanternBot, scene: Scene
) -> None:
    program_wide = [
        ("session reminders", {"lead_times": "5m"}),
        ("cohort create", {"name": "Erin's own", "start": "2026-03-09", "end": "2026-05-29"}),
        ("cohort enroll", {"member": scene.other.person, "cohort": SPRING}),
        ("cohort team add", {"cohort": SPRING, "member": scene.other.person}),
        ("crisis settings", {"escalate_after": 30}),
    ]
    before = await state(configured)
    for command, options in program_wide:
        res = await emu.invoke(scene.erin, clinic.general, command, options=options)
        assert res.ephemeral and "Only facilitators" in text(res), (command, text(res))
    assert await state(configured) == before
