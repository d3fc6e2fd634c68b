"""Alumni outreach: one daily run's time and database queries for 5,000 alumni, against 500
(issue 18: well under a few seconds, and a query count that does not grow with the alumni).

Each size gets a fresh database seeded straight into SQLite with a realistic spread, over
three years of a program: cohorts of 12-13 people graduating every few days, each person's
daily check-ins and weekly sessions (attendance and RSVPs) while in the program; after it,
a third keep a weekly check-in for a while, 40% wrote in the server in the last two months,
5% are back in a cohort, a fifth were DM'd by outreach in the last two months, 3% opted out,
2% have closed DMs. Then `Outreach.run` (selection + recording + queueing the DMs, exactly
as the daily job does; only Discord's member cache is a stand-in: everyone is still on the
server) runs once, timed.

Queries are counted two ways: calls into SQLite (each `execute`/`executemany` sent to the
database thread, BEGIN/COMMIT left out) and statements SQLite ran (its trace callback; an
`executemany` counts once per row there). Also: what the message listener costs per message.

    python bench/outreach_bench.py [--sizes 500 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import FakeClock
from bot.outbox import PERSON, Outbox
from bot.storage import Database, apply_migrations
from cogs.alumni.activity import LastMessages
from cogs.alumni.outreach import Outreach
from cogs.alumni.outreach_dm import OUTREACH
from cogs.alumni.outreach_store import OutreachStore
from cogs.cohorts.api import Membership

GUILD = 1
ZONE = "America/Chicago"
NOW = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)  # 12:00 in Chicago
COHORT_SIZE = 12
PROGRAM_DAYS = 56


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


async def seed(db: Database, alumni: int, rng: random.Random) -> None:
    today = NOW.date()
    cohorts = (alumni + COHORT_SIZE - 1) // COHORT_SIZE
    spacing = max(1, (3 * 365) // cohorts)
    rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in (
        "cohorts", "enrollments", "graduations", "checkins", "series", "occurrences",
        "attendance", "rsvps", "messages", "outreach",
    )}  # fmt: skip
    user = 1000
    occurrence = 0
    for c in range(1, cohorts + 1):
        ends = today - timedelta(days=1 + (cohorts - c) * spacing)
        starts = ends - timedelta(days=PROGRAM_DAYS)
        rows["cohorts"].append(
            (c, GUILD, f"Cohort {c}", starts.isoformat(), ends.isoformat(), 15, "archived", 1,
             iso(NOW))
        )  # fmt: skip
        rows["series"].append(
            (c, GUILD, c, "Group", "group", "2", "18:00", 90, ZONE, starts.isoformat(),
             ends.isoformat(), 1, iso(NOW))
        )  # fmt: skip
        sessions = []
        for week in range(PROGRAM_DAYS // 7):
            occurrence += 1
            at = datetime.combine(starts + timedelta(days=7 * week + 2), datetime.min.time(), UTC)
            at += timedelta(hours=23)
            rows["occurrences"].append(
                (occurrence, c, GUILD, c, at.replace(tzinfo=None).isoformat(), iso(at),
                 iso(at + timedelta(minutes=90)))
            )  # fmt: skip
            sessions.append((occurrence, at))
        for _ in range(COHORT_SIZE):
            if user - 1000 >= alumni:
                break
            user += 1
            rows["enrollments"].append(
                (c, GUILD, user, "graduated", 1, iso(NOW - timedelta(days=(today - starts).days)))
            )
            rows["graduations"].append((GUILD, user, c, ends.isoformat(), 1))
            for day in range(PROGRAM_DAYS):  # most days while in the program
                if rng.random() < 0.8:
                    rows["checkins"].append(
                        (GUILD, user, c, (starts + timedelta(days=day)).isoformat(), 3, iso(NOW))
                    )
            for number, at in sessions:
                status = "present" if rng.random() < 0.85 else "absent"
                rows["attendance"].append((number, GUILD, c, user, status, 1, iso(at)))
                rows["rsvps"].append((number, user, "yes", iso(at - timedelta(days=1))))
            if rng.random() < 0.33:  # a weekly check-in for a while after graduating
                for week in range(1, rng.randint(2, 40)):
                    day = ends + timedelta(days=7 * week)
                    if day < today:
                        rows["checkins"].append((GUILD, user, None, day.isoformat(), 4, iso(NOW)))
            if rng.random() < 0.4:
                wrote = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
                rows["messages"].append((GUILD, user, wrote.isoformat()))
            roll = rng.random()
            if roll < 0.2:
                dm = NOW - timedelta(days=rng.randint(1, 60))
                rows["outreach"].append((GUILD, user, dm.isoformat(), None, None))
            elif roll < 0.23:
                rows["outreach"].append((GUILD, user, None, iso(NOW - timedelta(days=90)), None))
            elif roll < 0.25:
                closed = (NOW - timedelta(days=40)).isoformat()
                rows["outreach"].append((GUILD, user, closed, None, closed))
    back = rng.sample(range(1001, user + 1), k=len(range(1001, user + 1)) // 20)
    current = cohorts + 1
    rows["cohorts"].append(
        (current, GUILD, "Now", (today - timedelta(days=10)).isoformat(),
         (today + timedelta(days=46)).isoformat(), 15, "active", 1, iso(NOW))
    )  # fmt: skip
    for uid in back:  # re-enrolled: no longer counted as alumni
        rows["enrollments"].append((current, GUILD, uid, "active", 1, iso(NOW)))
    async with db.transaction() as tx:
        sql = {
            "cohorts": "INSERT INTO cohorts (id, guild_id, name, starts_on, ends_on, capacity, "
            "status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "enrollments": "INSERT INTO enrollments (cohort_id, guild_id, user_id, status, "
            "enrolled_by, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)",
            "graduations": "INSERT INTO graduations (guild_id, user_id, cohort_id, graduated_on, "
            "graduated_by) VALUES (?, ?, ?, ?, ?)",
            "checkins": "INSERT INTO checkins (guild_id, user_id, cohort_id, local_day, mood, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            "series": "INSERT INTO session_series (id, guild_id, cohort_id, title, kind, "
            "weekdays, start_time, duration_minutes, timezone, starts_on, ends_on, created_by, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "occurrences": "INSERT INTO session_occurrences (id, series_id, guild_id, cohort_id, "
            "original_start, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            "attendance": "INSERT INTO session_attendance (occurrence_id, guild_id, cohort_id, "
            "user_id, status, marked_by, marked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            "rsvps": "INSERT INTO session_rsvps (occurrence_id, user_id, answer, updated_at) "
            "VALUES (?, ?, ?, ?)",
            "messages": "INSERT INTO alumni_last_message (guild_id, user_id, last_message_at) "
            "VALUES (?, ?, ?)",
            "outreach": "INSERT INTO alumni_outreach (guild_id, user_id, last_dm_at, "
            "opted_out_at, dms_closed_at) VALUES (?, ?, ?, ?, ?)",
        }
        for name, statement in sql.items():
            await tx.execute_many(statement, rows[name])
    await db.execute("ANALYZE")


class Counter:
    """Counts calls into SQLite (and statements SQLite ran) while `on`."""

    def __init__(self, db: Database) -> None:
        self.calls = self.statements = 0
        self.on = False
        conn = db._conn
        execute, executemany = conn.execute, conn.executemany

        def counted(method: Any) -> Any:
            def call(sql: str, *args: Any) -> Any:
                if self.on and sql.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
                    self.calls += 1
                return method(sql, *args)

            return call

        conn.execute, conn.executemany = counted(execute), counted(executemany)  # type: ignore[method-assign]
        self._conn = conn

    async def trace(self) -> None:
        def seen(_: str) -> None:
            if self.on:
                self.statements += 1

        await self._conn.set_trace_callback(seen)


async def measure(alumni: int, runs: int) -> dict[str, float]:
    times, queued, calls, statements = [], 0, 0, 0
    for attempt in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            db = await Database.open(Path(tmp) / "bench.db")
            try:
                await apply_migrations(db, NOW)
                await seed(db, alumni, random.Random(18 + attempt))
                clock = FakeClock(NOW)
                outbox = Outbox(db, clock)
                outbox.register(OUTREACH, lambda item: None, PERSON)  # type: ignore[arg-type,return-value]
                bot = SimpleNamespace(db=db, outbox=outbox, clock=clock)
                outreach = Outreach(bot, OutreachStore(db), Membership(db))  # type: ignore[arg-type]
                guild = SimpleNamespace(id=GUILD, get_member=lambda uid: True)
                counter = Counter(db)
                await counter.trace()
                counter.on = True
                started = time.perf_counter()
                queued = await outreach.run(guild, NOW, ZoneInfo(ZONE))  # type: ignore[arg-type]
                times.append(time.perf_counter() - started)
                counter.on = False
                calls, statements = counter.calls, counter.statements
                row = await db.fetch_one("SELECT COUNT(*) FROM outbox WHERE kind = ?", (OUTREACH,))
                assert row is not None and row[0] == queued, (row, queued)
            finally:
                await db.close()
    return {
        "seconds": statistics.median(times),
        "queued": queued,
        "calls": calls,
        "statements": statements,
    }


def listener_cost() -> float:
    """Seconds per message for the on_message hot path (`LastMessages.note`)."""
    tracker = LastMessages(SimpleNamespace(), SimpleNamespace())  # type: ignore[arg-type]
    authors = [SimpleNamespace(id=i, bot=False) for i in range(200)]
    guild = SimpleNamespace(id=GUILD)
    messages = [SimpleNamespace(guild=guild, author=a) for a in authors] * 50
    number = 20
    total = timeit.timeit(
        lambda: [tracker.note(m) for m in messages],  # type: ignore[arg-type]
        number=number,
    )
    return total / (number * len(messages))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        results[size] = found = await measure(size, args.runs)
        print(
            f"{size:>6} alumni: run {found['seconds'] * 1000:7.1f} ms (median of {args.runs}), "
            f"{found['queued']} DMs queued, {found['calls']} calls into SQLite, "
            f"{found['statements']} statements run by SQLite"
        )
    small, large = min(results), max(results)
    if small != large:
        a, b = results[small], results[large]
        calls, statements = b["calls"] / a["calls"], b["statements"] / a["statements"]
        print(
            f"ratio {large}/{small}: time x{b['seconds'] / a['seconds']:.1f}, calls x{calls:.2f}, "
            f"statements x{statements:.1f} (two rows per DM queued: the outbox's and its record)"
        )
    print(f"on_message listener: {listener_cost() * 1e9:.0f} ns per message")


if __name__ == "__main__":
    asyncio.run(main())
