"""Planning and the reminder table on a real migrated SQLite: occurrences are created once,
reminders are claimed at most once, stale ones are skipped, and the helpers other features
call (missed_sessions, attendance_rows)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.storage import Database
from cogs.sessions import planning
from cogs.sessions.api import attendance_rows, last_session_activity, missed_sessions
from cogs.sessions.attendance_store import AttendanceStore
from cogs.sessions.planning import Planner
from cogs.sessions.recurrence import Rule
from cogs.sessions.reminder_store import ReminderStore
from cogs.sessions.store import SessionStore

NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)


class Stores:
    def __init__(self, db: Database) -> None:
        self.sessions = SessionStore(db)
        self.reminders = ReminderStore(db)
        self.attendance = AttendanceStore(db)
        self.planner = Planner(self.sessions, self.reminders)


async def seed(db: Database) -> tuple[Stores, int]:
    cohort = await db.execute(
        "INSERT INTO cohorts (guild_id, name, starts_on, ends_on, capacity, created_by, "
        "created_at) VALUES (1, 'Spring', '2026-03-02', '2026-05-22', 10, 1, ?)",
        (NOW.isoformat(),),
    )
    stores = Stores(db)
    rule = Rule((0, 2, 3), time(18), 180, "America/Chicago", date(2026, 3, 2), date(2026, 5, 22))
    async with db.transaction() as tx:
        await stores.sessions.add_series(
            tx, guild_id=1, cohort_id=cohort, title="Group", kind="group", rule=rule,
            location=None, link=None, by=1, now=NOW,
        )  # fmt: skip
    return stores, cohort


async def test_extending_is_idempotent_and_plans_future_reminders_only(db: Database) -> None:
    s, _ = await seed(db)
    new = await s.planner.extend(NOW)
    assert len(new) == 12  # four weeks of Mon/Wed/Thu
    assert await s.planner.extend(NOW) == []
    assert await s.planner.extend(NOW + timedelta(hours=1)) == []
    # Monday's 24-hour reminder was already past when planned: only its 1-hour one exists.
    counts = await s.reminders.reminder_counts()
    assert counts == {"pending": 23}
    assert await s.reminders.next_due() == datetime(2026, 3, 2, 23, tzinfo=UTC)
    # A week later the horizon moves and three more occurrences appear.
    assert len(await s.planner.extend(NOW + timedelta(days=7))) == 3


async def test_claiming_is_at_most_once_and_skips_what_is_stale(db: Database) -> None:
    s, _ = await seed(db)
    await s.planner.extend(NOW)
    due = datetime(2026, 3, 2, 23, 0, 1, tzinfo=UTC)
    sent, skipped = await s.reminders.claim_due(due, due - planning.GRACE)
    assert [r.lead_minutes for r in sent] == [60] and skipped == 0
    again, skipped = await s.reminders.claim_due(due, due - planning.GRACE)
    assert again == [] and skipped == 0
    # Down for a day: Tuesday's 24h reminder for Wednesday (due 00:00 UTC Wed) is 6 hours late.
    late = datetime(2026, 3, 4, 6, tzinfo=UTC)
    sent, skipped = await s.reminders.claim_due(late, late - planning.GRACE)
    assert sent == [] and skipped == 1


async def test_a_cancelled_session_loses_its_pending_reminders(db: Database) -> None:
    s, cohort = await seed(db)
    await s.planner.extend(NOW)
    first = (await s.sessions.sessions_of_cohort(cohort, NOW, NOW + timedelta(days=1)))[0]
    async with db.transaction() as tx:
        await s.sessions.cancel(tx, first.id, None)
    await s.planner.plan([first.id], NOW)
    assert await s.reminders.next_due() == datetime(2026, 3, 4, 0, tzinfo=UTC)  # Wednesday's 24h


async def test_missed_sessions_and_attendance_rows(db: Database) -> None:
    s, cohort = await seed(db)
    await s.planner.extend(NOW)
    sessions = await s.sessions.sessions_of_cohort(cohort, NOW, NOW + timedelta(days=7))
    await s.attendance.mark(sessions[0], [7, 8], "absent", 1, NOW + timedelta(days=1))
    await s.attendance.mark(sessions[1], [7], "present", 1, NOW + timedelta(days=3))
    await s.attendance.mark(sessions[1], [8], "excused", 1, NOW + timedelta(days=3))
    assert await missed_sessions(db, 1, 7, NOW) == 1
    assert await missed_sessions(db, 1, 7, NOW + timedelta(days=2)) == 0
    assert await missed_sessions(db, 2, 7, NOW) == 0
    assert await s.attendance.claim_missed_dm(sessions[0].id, 7, NOW)
    assert not await s.attendance.claim_missed_dm(sessions[0].id, 7, NOW)
    rows = await attendance_rows(db, cohort)
    assert [(r["user_id"], r["status"]) for r in rows] == [
        (7, "absent"),
        (8, "absent"),
        (7, "present"),
        (8, "excused"),
    ]
    assert rows[0]["starts_at"] == "2026-03-03T00:00:00+00:00"
    assert rows[0]["local_start"] == "2026-03-02T18:00"


async def test_last_session_activity_is_attendance_or_a_yes_per_person(db: Database) -> None:
    s, cohort = await seed(db)
    await s.planner.extend(NOW)
    sessions = await s.sessions.sessions_of_cohort(cohort, NOW, NOW + timedelta(days=7))
    await s.attendance.mark(sessions[0], [7], "present", 1, NOW + timedelta(days=1))
    await s.attendance.mark(sessions[0], [8], "absent", 1, NOW + timedelta(days=1))
    await s.attendance.mark(sessions[1], [7], "present", 1, NOW + timedelta(days=3))
    await s.attendance.rsvp(sessions[2].id, 9, "yes", None, NOW + timedelta(hours=2))
    await s.attendance.rsvp(sessions[2].id, 8, "no", "busy", NOW + timedelta(hours=2))
    later = NOW + timedelta(days=10)
    found = await last_session_activity(db, 1, later)
    assert found == {
        7: sessions[1].starts_at,
        9: NOW + timedelta(hours=2),
    }  # absent and "can't make it" aren't activity
    assert await last_session_activity(db, 1, NOW + timedelta(days=1)) == {
        7: sessions[0].starts_at,
        9: NOW + timedelta(hours=2),
    }  # a session still ahead doesn't count
    assert await last_session_activity(db, 2, later) == {}
