"""Hostile input, table-driven: every refused value gets a clear private answer naming the
option, no incident, and no row changes. One Lantern serves a whole table (cheap to run)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.client import LanternBot
from bot.safety import crisis_lines
from cogs.crisis.catchup import ALIVE_KEY
from emulator import DriverError, Emulator
from emulator.model import Member
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import agreement_message, enroll
from tests.e2e.steps.common import text


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite always: "nothing changed" compares dumps of the database file."""
    return str(tmp_path / "lantern.db")


BLANK = ["", " ", "\t\n", "\u200b", "\u200c\u200d", "\u2060", "\ufeff", " \u200b "]
IDS = [
    "²", "9" * 30, "99999999999999999999", "9223372036854775808", "-1", "0", "٣", "１２",
    "abc", "1e5", "0x10", "12.0", "+5", "#²", "<@&1>", "@everyone",
]  # fmt: skip
DATES = [
    "0000-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "tomorrow", "²⁰²⁶-01-01",
    "1999-12-31", "2201-01-01", "x" * 4000, "2026-13-01",
]  # fmt: skip
ZONES = [
    "localtime", "Factory", "posixrules", "Etc/Unknown", "x" * 4000, "../etc/passwd",
    "/etc/localtime", "posix/UTC", "right/UTC", "Mars/Olympus", "\u200b", "UTC\u200b",
]  # fmt: skip
DURATIONS = [
    "99999999999999999999d", "-5m", "0m", "29d", "abc", "1x", "٣m", "\u200b", "1h 2x",
    "9" * 4000 + "s", "5w", "1e9s",
]  # fmt: skip
TIMES = [
    "25:00", "24:00", "12:60", "13pm", "0am", "-1:00", "²:00", "9" * 30, "noon-ish", "x" * 4000,
    "18:00:00:00", "\u200b", "",
]  # fmt: skip
SPANS = [
    "0m", "4m", "13h", "99999999999999999999h", "-1h", "1.5.5h", "abc", "٣h", "x" * 4000,
    "\u200b", "", "1e9m",
]  # fmt: skip
WEEKDAYS = ["Funday", "", "\u200b", "Mon,,Funday", "x" * 4000, "8", "²", "@everyone"]
NAMES = ["", " ", "\u200b", "x" * 4000, "No such cohort", "<@&1>", "@everyone", "²"]
LEADS = [
    ",,", ",", " , ; ", "-1h", "99999999999999d", "8d", "1m", "abc", "\u200b", "; and ;",
    "1h,,abc", "x" * 4000,
]  # fmt: skip


def dump(database: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every row of every table, but two kinds of `app_state` row that change whatever anyone
    types: the crisis watcher's heartbeat (`crisis:alive_at`, rewritten by a timer) and the
    start-up probe of the escalation channel (`escalation:<guild>`, written once after
    connecting, possibly while the first case runs)."""
    with sqlite3.connect(database) as db:
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        rows = {t: sorted(db.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}  # noqa: S608
    rows["app_state"] = [
        r
        for r in rows.get("app_state", [])
        if r[0] != ALIVE_KEY and not str(r[0]).startswith("escalation:")
    ]
    return sorted(rows.items())


async def settled(database: Path) -> None:
    """Wait (with a deadline) until the outbox has sent what the set-up queued, so its rows
    stop changing under the before/after comparison."""
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        with sqlite3.connect(database) as db:
            (pending,) = db.execute(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
            ).fetchone()
        if not pending:
            return
        assert asyncio.get_running_loop().time() < deadline, "the outbox never drained"
        await asyncio.sleep(0.02)  # polling a file: there is no event to await


async def run_table(
    emu: Emulator, harness: Harness, who: object, channel: object,
    cases: list[tuple[str, dict[str, object], str]],
) -> int:  # fmt: skip
    """Invoke each case; assert a clear private refusal naming the field and no row change."""
    tried = 0
    await settled(harness.database)
    for command, options, field in cases:
        before = dump(harness.database)
        try:
            res = await emu.invoke(who, channel, command, options=options)  # type: ignore[arg-type]
        except DriverError:
            continue  # Discord's client refuses this value itself: not reachable
        tried += 1
        said = text(res)
        where = f"{command} {field}={str(options.get(field))[:30]!r}: {said[:120]!r}"
        assert res.ephemeral, where
        assert "Something went wrong" not in said, where
        assert f"`{field}`" in said, where
        assert dump(harness.database) == before, where
    return tried


async def test_bad_input_is_refused_clearly_and_changes_nothing(
    emu: Emulator, clinic: Clinic, configured: LanternBot, harness: Harness
) -> None:
    today = configured.clock.now().date()
    made = await emu.invoke(
        clinic.alice, clinic.general, "cohort create", name="Spring Evening",
        start=str(today), end=str(today + timedelta(days=120)),
    )  # fmt: skip
    assert made.ephemeral, text(made)
    added = await emu.invoke(
        clinic.alice, clinic.general, "session add", cohort="Spring Evening", title="Group",
        weekdays="Tue", time="18:00", duration="2h",
    )  # fmt: skip
    assert "Added" in text(added)
    with sqlite3.connect(harness.database) as db:
        row = db.execute("SELECT id FROM session_occurrences ORDER BY starts_at DESC").fetchone()
    session_id = str(row[0])
    add = {"cohort": "Spring Evening", "title": "T", "weekdays": "Tue", "time": "18:00",
           "duration": "2h"}  # fmt: skip
    cases: list[tuple[str, dict[str, object], str]] = []
    for raw in IDS:
        cases += [
            ("session cancel", {"session": raw}, "session"),
            ("session move", {"session": raw, "time": "19:00"}, "session"),
            ("session rsvps", {"session": raw}, "session"),
            ("session delete", {"series": raw}, "series"),
        ]
    for raw in DATES:
        cases += [
            ("session move", {"session": session_id, "date": raw}, "date"),
            ("session add", {**add, "starts": raw}, "starts"),
            ("session add", {**add, "ends": raw}, "ends"),
        ]
    for raw in ZONES + BLANK:
        cases += [
            ("setup server", {"timezone": raw}, "timezone"),
            ("schedule", {"timezone": raw}, "timezone"),
        ]
    for raw in DURATIONS + BLANK:
        cases.append(
            ("mod timeout", {"member": clinic.bob, "duration": raw, "reason": "r"}, "duration")
        )
    for raw in BLANK:
        cases += [
            ("mod timeout", {"member": clinic.bob, "duration": "1h", "reason": raw}, "reason"),
            ("session add", {**add, "title": raw}, "title"),
            ("session cancel", {"session": session_id, "message": raw}, "message"),
            ("session move", {"session": session_id, "time": "19:00", "message": raw}, "message"),
        ]
    for raw in LEADS + BLANK:
        cases += [
            ("session reminders", {"lead_times": raw}, "lead_times"),
            ("session reminders", {"lead_times": raw, "cohort": "Spring Evening"}, "lead_times"),
        ]
    for raw in TIMES:
        cases += [
            ("session add", {**add, "time": raw}, "time"),
            ("session move", {"session": session_id, "time": raw}, "time"),
        ]
    for raw in SPANS:
        cases += [
            ("session add", {**add, "duration": raw}, "duration"),
            ("session move", {"session": session_id, "duration": raw}, "duration"),
        ]
    for raw in WEEKDAYS:
        cases.append(("session add", {**add, "weekdays": raw}, "weekdays"))
    for raw in IDS:
        cases.append(("crisis ack", {"alert": raw}, "alert"))
    for raw in NAMES:
        cases += [
            ("session add", {**add, "cohort": raw}, "cohort"),
            ("session reminders", {"lead_times": "1h", "cohort": raw}, "cohort"),
        ]
    new = {"name": "Autumn", "start": "2027-01-04", "end": "2027-03-26"}
    for raw in [*BLANK, "x" * 4000]:
        cases += [
            ("cohort create", {**new, "name": raw}, "name"),
            ("setup server", {"region": raw}, "region"),
        ]
    for raw in DATES:
        cases += [
            ("cohort create", {**new, "start": raw}, "start"),
            ("cohort create", {**new, "end": raw}, "end"),
        ]
    for raw in LEADS + BLANK:
        cases.append(("schedule", {"dm_lead": raw}, "dm_lead"))
    tried = await run_table(emu, harness, clinic.alice, clinic.general, cases)
    tried += await modal_cases(emu, harness, clinic)
    assert tried >= 300, tried


async def modal_cases(emu: Emulator, harness: Harness, clinic: Clinic) -> int:
    """Modal fields: the agreement, the /talk message and the report timeout's fields."""
    tried = 0
    fields: list[tuple[Member, str, str, dict[str, object]]] = [
        (clinic.alice, "cohort agreement", "agreement", {}),
        (clinic.bob, "talk", "message", {"topic": ["hard"]}),
    ]
    for who, command, field, other in fields:
        for raw in BLANK:
            before = dump(harness.database)
            opened = await emu.invoke(who, clinic.general, command)
            try:
                res = await emu.submit_modal(who, opened, {**other, field: raw})
            except DriverError:
                continue
            tried += 1
            where = f"{command} {field}={raw!r}: {text(res)[:120]!r}"
            assert res.ephemeral and f"`{field}`" in text(res), where
            assert dump(harness.database) == before, where
    return tried


async def test_rtl_emoji_and_mentions_are_kept_and_ping_nobody(
    emu: Emulator, clinic: Clinic, configured: LanternBot, harness: Harness
) -> None:
    """Valid but unusual text is stored as typed and echoed without pinging anyone."""
    today = configured.clock.now().date()
    await emu.invoke(
        clinic.alice, clinic.general, "cohort create", name="Spring Evening",
        start=str(today), end=str(today + timedelta(days=120)),
    )  # fmt: skip
    titles = [
        "مجموعة الدعم",
        "שיחה קבוצתית 🕯️",
        "Group 👨‍👩‍👧 ✨",
        "@everyone come",
        f"<@&{clinic.facilitator_role.id}> **bold** `code`",
        "||spoiler|| ~~x~~ > quote",
    ]
    for title in titles:
        res = await emu.invoke(
            clinic.alice, clinic.general, "session add", cohort="Spring Evening", title=title,
            weekdays="Tue", time="18:00", duration="2h",
        )  # fmt: skip
        assert res.ephemeral and "Added" in text(res), text(res)
        with sqlite3.connect(harness.database) as db:
            stored = [r[0] for r in db.execute("SELECT title FROM session_series")]
        assert title in stored
    for message in emu.world.messages.values():
        assert not message.mention_everyone and message.mention_roles == [], text(message)


async def test_reminders_off_server_wide_asks_first(
    emu: Emulator, clinic: Clinic, configured: LanternBot, harness: Harness
) -> None:
    await settled(harness.database)
    before = dump(harness.database)
    ask = await emu.invoke(clinic.alice, clinic.general, "session reminders", lead_times="off")
    assert ask.ephemeral and "**0** pending" in text(ask), text(ask)
    assert ask.message is not None
    ids = {b.get("label"): b.get("custom_id") for r in ask.components for b in r["components"]}
    assert set(ids) == {"Confirm", "Cancel"}
    assert dump(harness.database) == before  # nothing changes until Confirm
    no = await emu.click(clinic.alice, ask.message, ids["Cancel"])
    await emu.wait_for(lambda: "Nothing changed" in text(no))
    assert dump(harness.database) == before
    again = await emu.invoke(clinic.alice, clinic.general, "session reminders", lead_times="off")
    assert again.message is not None
    ids = {b.get("label"): b.get("custom_id") for r in again.components for b in r["components"]}
    await emu.click(clinic.alice, again.message, ids["Confirm"])
    await emu.wait_for(lambda: "Reminders for this server: off" in text(again.message))
    with sqlite3.connect(harness.database) as db:
        assert db.execute("SELECT lead_minutes FROM session_settings").fetchall() == [("",)]


async def test_longest_agreement_still_shows_the_crisis_lines(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    today = configured.clock.now().date()
    name = "W" * 40  # the longest cohort name makes the longest welcome text
    await emu.invoke(
        clinic.alice, clinic.general, "cohort create", name=name,
        start=str(today), end=str(today + timedelta(days=120)),
    )  # fmt: skip
    opened = await emu.invoke(clinic.alice, clinic.general, "cohort agreement")
    assert opened.modal is not None
    room = int(opened.modal.fields["agreement"]["max_length"])
    assert 1000 < room < 4000
    saved = await emu.submit_modal(clinic.alice, opened, {"agreement": "x" * room})
    assert "Saved" in text(saved), text(saved)
    await enroll(emu, clinic, clinic.bob, name)
    welcome = agreement_message(emu, clinic.bob)
    description = welcome.embeds[0]["description"]
    assert len(description) <= 4096
    assert "x" * room in description
    assert description.endswith(crisis_lines(configured.resources.region("US")))
