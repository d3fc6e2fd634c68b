"""SQL for session series, occurrences, reminders, RSVPs and attendance (the only place with
this feature's SQL). Instants are stored as ISO UTC text without microseconds, so text
comparison is time order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import aiosqlite

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database, Transaction
from cogs.cohorts.api import Membership
from cogs.sessions.recurrence import DEFAULT_DM_LEAD, DEFAULT_LEADS, Occurrence, Rule, to_local


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class Series:
    id: int
    guild_id: int
    cohort_id: int
    title: str
    kind: str
    weekdays: tuple[int, ...]
    start_time: time
    duration_minutes: int
    timezone: str
    starts_on: date
    ends_on: date
    location: str | None
    link: str | None
    status: str
    planned_until: datetime | None

    @property
    def rule(self) -> Rule:
        return Rule(
            self.weekdays,
            self.start_time,
            self.duration_minutes,
            self.timezone,
            self.starts_on,
            self.ends_on,
        )


def _series(row: aiosqlite.Row) -> Series:
    return Series(
        id=row["id"],
        guild_id=row["guild_id"],
        cohort_id=row["cohort_id"],
        title=row["title"],
        kind=row["kind"],
        weekdays=tuple(int(d) for d in row["weekdays"].split(",") if d),
        start_time=time.fromisoformat(row["start_time"]),
        duration_minutes=row["duration_minutes"],
        timezone=row["timezone"],
        starts_on=date.fromisoformat(row["starts_on"]),
        ends_on=date.fromisoformat(row["ends_on"]),
        location=row["location"],
        link=row["link"],
        status=row["status"],
        planned_until=_at(row["planned_until"]) if row["planned_until"] else None,
    )


@dataclass(frozen=True)
class Session:
    """One occurrence of a series, with what it needs from its series."""

    id: int
    series_id: int
    guild_id: int
    cohort_id: int
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    status: str
    moved: bool
    note: str | None
    event_id: int | None
    event_start: datetime | None
    title: str
    kind: str
    timezone: str
    location: str | None
    link: str | None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


_SESSION = (
    "SELECT o.*, s.title, s.kind, s.timezone, s.location, s.link FROM session_occurrences o "
    "JOIN session_series s ON s.id = o.series_id"
)


def _session(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        series_id=row["series_id"],
        guild_id=row["guild_id"],
        cohort_id=row["cohort_id"],
        original_start=datetime.fromisoformat(row["original_start"]),
        starts_at=_at(row["starts_at"]),
        ends_at=_at(row["ends_at"]),
        status=row["status"],
        moved=bool(row["moved"]),
        note=row["note"],
        event_id=row["event_id"],
        event_start=_at(row["event_start"]) if row["event_start"] else None,
        title=row["title"],
        kind=row["kind"],
        timezone=row["timezone"],
        location=row["location"],
        link=row["link"],
    )


@dataclass(frozen=True)
class Reminder:
    id: int
    occurrence_id: int
    user_id: int
    lead_minutes: int
    for_start: datetime
    due_at: datetime


@dataclass(frozen=True)
class Prefs:
    timezone: str | None = None
    dm_reminders: bool = False
    dm_lead: int = DEFAULT_DM_LEAD
    missed_dm: bool = True


@dataclass(frozen=True)
class PlannedReminder:
    occurrence_id: int
    user_id: int
    lead_minutes: int
    for_start: datetime
    due_at: datetime


class SessionStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher  # RSVP reasons are free text about someone's life
        self.members = Membership(db)  # who is in a cohort belongs to cohorts

    # --- series ------------------------------------------------------------------------

    async def add_series(
        self, tx: Transaction, *, guild_id: int, cohort_id: int, title: str, kind: str,
        rule: Rule, location: str | None, link: str | None, by: int, now: datetime,
    ) -> int:  # fmt: skip
        return await tx.execute(
            "INSERT INTO session_series (guild_id, cohort_id, title, kind, weekdays, start_time, "
            "duration_minutes, timezone, starts_on, ends_on, location, link, created_by, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                cohort_id,
                title,
                kind,
                ",".join(str(d) for d in rule.weekdays),
                rule.start_time.strftime("%H:%M"),
                rule.duration_minutes,
                rule.zone,
                rule.starts_on.isoformat(),
                rule.ends_on.isoformat(),
                location,
                link,
                by,
                iso(now),
            ),
        )

    async def series(self, series_id: int) -> Series | None:
        row = await self.db.fetch_one("SELECT * FROM session_series WHERE id = ?", (series_id,))
        return _series(row) if row else None

    async def series_of_cohort(self, cohort_id: int) -> list[Series]:
        rows = await self.db.fetch_all(
            "SELECT * FROM session_series WHERE cohort_id = ? AND status = 'active' ORDER BY id",
            (cohort_id,),
        )
        return [_series(r) for r in rows]

    async def series_of_guild(self, guild_id: int) -> list[Series]:
        rows = await self.db.fetch_all(
            "SELECT * FROM session_series WHERE guild_id = ? AND status = 'active' ORDER BY id",
            (guild_id,),
        )
        return [_series(r) for r in rows]

    async def series_to_extend(self, until: datetime) -> list[Series]:
        """Active series whose occurrences don't reach `until` yet (and haven't ended)."""
        rows = await self.db.fetch_all(
            "SELECT * FROM session_series WHERE status = 'active' "
            "AND (planned_until IS NULL OR planned_until < ?)",
            (iso(until),),
        )
        return [_series(r) for r in rows]

    async def end_series(self, tx: Transaction, series_id: int, ends_on: date) -> None:
        await tx.execute(
            "UPDATE session_series SET ends_on = ? WHERE id = ?", (ends_on.isoformat(), series_id)
        )

    async def delete_series(self, tx: Transaction, series_id: int) -> None:
        await tx.execute("UPDATE session_series SET status = 'deleted' WHERE id = ?", (series_id,))

    async def set_planned(self, tx: Transaction, planned: Sequence[tuple[int, datetime]]) -> None:
        """Record how far each series' occurrences now reach: (series id, until)."""
        await tx.execute_many(
            "UPDATE session_series SET planned_until = ? WHERE id = ?",
            [(iso(until), series_id) for series_id, until in planned],
        )

    # --- occurrences -------------------------------------------------------------------

    async def insert_occurrences(
        self, tx: Transaction, planned: Sequence[tuple[Series, Sequence[Occurrence]]]
    ) -> list[int]:
        """INSERT OR IGNORE by identity, in one batch; returns the ids of the new rows.
        New rows get ids above the largest before (rowid = max + 1, and the transaction
        holds the lock), so they are found without a query per row."""
        row = await tx.fetch_one("SELECT COALESCE(MAX(id), 0) AS top FROM session_occurrences")
        top = int(row["top"]) if row else 0
        await tx.execute_many(
            "INSERT OR IGNORE INTO session_occurrences (series_id, guild_id, cohort_id, "
            "original_start, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    series.id,
                    series.guild_id,
                    series.cohort_id,
                    occ.local_start.isoformat(),
                    iso(occ.starts_at),
                    iso(occ.ends_at),
                )
                for series, found in planned
                for occ in found
            ],
        )
        rows = await tx.fetch_all("SELECT id FROM session_occurrences WHERE id > ?", (top,))
        return [int(r["id"]) for r in rows]

    async def session(self, occurrence_id: int) -> Session | None:
        row = await self.db.fetch_one(_SESSION + " WHERE o.id = ?", (occurrence_id,))
        return _session(row) if row else None

    async def sessions_by_ids(self, ids: Sequence[int]) -> list[Session]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self.db.fetch_all(_SESSION + f" WHERE o.id IN ({marks})", tuple(ids))
        return [_session(r) for r in rows]

    async def sessions_of_cohort(
        self,
        cohort_id: int,
        start: datetime,
        end: datetime,
        *,
        include_cancelled: bool = True,
    ) -> list[Session]:
        sql = _SESSION + " WHERE o.cohort_id = ? AND o.starts_at >= ? AND o.starts_at < ?"
        if not include_cancelled:
            sql += " AND o.status = 'scheduled'"
        rows = await self.db.fetch_all(
            sql + " ORDER BY o.starts_at, o.id", (cohort_id, iso(start), iso(end))
        )
        return [_session(r) for r in rows]

    async def sessions_of_series(self, series_id: int, start: datetime) -> list[Session]:
        rows = await self.db.fetch_all(
            _SESSION + " WHERE o.series_id = ? AND o.starts_at >= ? ORDER BY o.starts_at",
            (series_id, iso(start)),
        )
        return [_session(r) for r in rows]

    async def sessions_of_guild(
        self, guild_id: int, start: datetime, end: datetime
    ) -> list[Session]:
        rows = await self.db.fetch_all(
            _SESSION + " WHERE o.guild_id = ? AND o.starts_at >= ? AND o.starts_at < ? "
            "ORDER BY o.starts_at",
            (guild_id, iso(start), iso(end)),
        )
        return [_session(r) for r in rows]

    async def future_scheduled(
        self, now: datetime, cohort_ids: Sequence[int] | None = None
    ) -> list[Session]:
        sql = _SESSION + " WHERE o.status = 'scheduled' AND o.starts_at > ?"
        params: list[Any] = [iso(now)]
        if cohort_ids is not None:
            if not cohort_ids:
                return []
            sql += f" AND o.cohort_id IN ({','.join('?' * len(cohort_ids))})"
            params += list(cohort_ids)
        rows = await self.db.fetch_all(sql, params)
        return [_session(r) for r in rows]

    async def cancel(self, tx: Transaction, occurrence_id: int, note: str | None) -> None:
        await tx.execute(
            "UPDATE session_occurrences SET status = 'cancelled', note = ? WHERE id = ?",
            (note, occurrence_id),
        )

    async def move(
        self,
        tx: Transaction,
        occurrence_id: int,
        starts: datetime,
        ends: datetime,
        note: str | None,
    ) -> None:
        await tx.execute(
            "UPDATE session_occurrences SET starts_at = ?, ends_at = ?, moved = 1, note = ? "
            "WHERE id = ?",
            (iso(starts), iso(ends), note, occurrence_id),
        )

    async def delete_occurrences(self, tx: Transaction, ids: Sequence[int]) -> None:
        for occurrence_id in ids:
            await tx.execute("DELETE FROM session_occurrences WHERE id = ?", (occurrence_id,))

    async def set_event(
        self, occurrence_id: int, event_id: int | None, start: datetime | None
    ) -> None:
        await self.db.execute(
            "UPDATE session_occurrences SET event_id = ?, event_start = ? WHERE id = ?",
            (event_id, iso(start) if start else None, occurrence_id),
        )

    async def sessions_needing_events(
        self, guild_id: int, now: datetime, until: datetime
    ) -> list[Session]:
        """Scheduled sessions in the event window with no or a stale event, and cancelled
        ones whose event still exists."""
        rows = await self.db.fetch_all(
            _SESSION + " WHERE o.guild_id = ? AND ("
            "(o.status = 'scheduled' AND o.starts_at > ? AND ("
            " (o.event_id IS NULL AND o.starts_at < ?) "
            " OR (o.event_id IS NOT NULL AND o.event_start != o.starts_at))) "
            "OR (o.status = 'cancelled' AND o.event_id IS NOT NULL))",
            (guild_id, iso(now), iso(until)),
        )
        return [_session(r) for r in rows]

    async def guilds_with_sessions(self) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT DISTINCT guild_id FROM session_series WHERE status = 'active'"
        )
        return [int(r["guild_id"]) for r in rows]

    # --- reminder settings and people ----------------------------------------------------

    async def leads(self, guild_id: int, cohort_id: int) -> tuple[int, ...]:
        """The cohort's lead times, else the server's, else the built-in default."""
        row = await self.db.fetch_one(
            "SELECT lead_minutes FROM session_settings WHERE guild_id = ? AND cohort_id IN (0, ?) "
            "ORDER BY cohort_id DESC LIMIT 1",
            (guild_id, cohort_id),
        )
        if row is None:
            return DEFAULT_LEADS
        return tuple(int(x) for x in row["lead_minutes"].split(",") if x)

    async def all_leads(self) -> dict[tuple[int, int], tuple[int, ...]]:
        rows = await self.db.fetch_all("SELECT * FROM session_settings")
        return {
            (r["guild_id"], r["cohort_id"]): tuple(
                int(x) for x in r["lead_minutes"].split(",") if x
            )
            for r in rows
        }

    async def pending_on_server_default(self, guild_id: int) -> int:
        """Pending reminders of cohorts that follow the server's lead times (what turning
        server-wide reminders off would cancel)."""
        row = await self.db.fetch_one(
            "SELECT COUNT(*) AS n FROM session_reminders r "
            "JOIN session_occurrences o ON o.id = r.occurrence_id "
            "WHERE r.status = 'pending' AND o.guild_id = ? AND o.cohort_id NOT IN "
            "(SELECT cohort_id FROM session_settings WHERE guild_id = ? AND cohort_id != 0)",
            (guild_id, guild_id),
        )
        return int(row["n"]) if row else 0

    async def set_leads(
        self, guild_id: int, cohort_id: int, leads: tuple[int, ...] | None, by: int, now: datetime
    ) -> None:
        """None removes a cohort's override (back to the server default)."""
        if leads is None:
            await self.db.execute(
                "DELETE FROM session_settings WHERE guild_id = ? AND cohort_id = ?",
                (guild_id, cohort_id),
            )
            return
        await self.db.execute(
            "INSERT INTO session_settings (guild_id, cohort_id, lead_minutes, updated_by, "
            "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, cohort_id) DO UPDATE SET "
            "lead_minutes = excluded.lead_minutes, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (guild_id, cohort_id, ",".join(map(str, leads)), by, iso(now)),
        )

    async def prefs(self, guild_id: int, user_id: int) -> Prefs:
        row = await self.db.fetch_one(
            "SELECT * FROM session_prefs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        if row is None:
            return Prefs()
        return Prefs(
            row["timezone"], bool(row["dm_reminders"]), row["dm_lead"], bool(row["missed_dm"])
        )

    async def save_prefs(self, guild_id: int, user_id: int, prefs: Prefs, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO session_prefs (guild_id, user_id, timezone, dm_reminders, dm_lead, "
            "missed_dm, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) "
            "DO UPDATE SET timezone = excluded.timezone, dm_reminders = excluded.dm_reminders, "
            "dm_lead = excluded.dm_lead, missed_dm = excluded.missed_dm, "
            "updated_at = excluded.updated_at",
            (
                guild_id,
                user_id,
                prefs.timezone,
                int(prefs.dm_reminders),
                prefs.dm_lead,
                int(prefs.missed_dm),
                iso(now),
            ),
        )

    async def dm_people(self, cohort_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        """cohort id -> [(user id, lead minutes)] of active members who opted in to DMs."""
        members = await self.members.active_enrolments(list(cohort_ids))
        if not members:
            return {}
        people = sorted({user_id for _, _, user_id in members})
        marks = ",".join("?" * len(people))
        rows = await self.db.fetch_all(
            "SELECT guild_id, user_id, dm_lead FROM session_prefs "  # noqa: S608 (placeholders only)
            f"WHERE dm_reminders = 1 AND user_id IN ({marks})",
            tuple(people),
        )
        lead = {(r["guild_id"], r["user_id"]): r["dm_lead"] for r in rows}
        found: dict[int, list[tuple[int, int]]] = {}
        for cohort_id, guild_id, user_id in members:
            if (guild_id, user_id) in lead:
                found.setdefault(cohort_id, []).append((user_id, lead[guild_id, user_id]))
        return found

    async def active_cohort_of(self, guild_id: int, user_id: int) -> int | None:
        return await self.members.active_cohort_of(guild_id, user_id)

    async def active_members(self, cohort_id: int) -> list[int]:
        return await self.members.active_members(cohort_id)

    # --- reminders ---------------------------------------------------------------------

    async def replace_pending(
        self, tx: Transaction, occurrence_ids: Sequence[int], planned: Iterable[PlannedReminder],
        *, user_id: int | None = None,
    ) -> None:  # fmt: skip
        """Drop the pending reminders of these sessions (only `user_id`'s if given), then
        add the new plan. Sent ones stay, and the unique key keeps them from coming back."""
        for first in range(0, len(occurrence_ids), 500):
            ids = list(occurrence_ids[first : first + 500])
            marks = ",".join("?" * len(ids))
            sql = f"DELETE FROM session_reminders WHERE occurrence_id IN ({marks})"  # noqa: S608
            params: list[int] = ids
            if user_id is not None:
                sql += " AND user_id = ?"
                params = [*ids, user_id]
            await tx.execute(sql + " AND status = 'pending'", params)
        await tx.execute_many(
            "INSERT OR IGNORE INTO session_reminders (occurrence_id, user_id, lead_minutes, "
            "for_start, due_at) VALUES (?, ?, ?, ?, ?)",
            [
                (p.occurrence_id, p.user_id, p.lead_minutes, iso(p.for_start), iso(p.due_at))
                for p in planned
            ],
        )

    async def drop_pending(self, tx: Transaction, occurrence_ids: Sequence[int]) -> None:
        await self.replace_pending(tx, occurrence_ids, [])

    async def next_due(self) -> datetime | None:
        row = await self.db.fetch_one(
            "SELECT MIN(due_at) AS due FROM session_reminders WHERE status = 'pending'"
        )
        return _at(row["due"]) if row and row["due"] else None

    async def claim_due(self, now: datetime, grace_start: datetime) -> tuple[list[Reminder], int]:
        """Take every pending reminder due by `now`: those due since `grace_start` whose
        session is still on at that time are marked sent and returned (at most once, even if
        sending then fails); older or stale ones are marked skipped. Returns (to send, skipped)."""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT r.*, o.status AS occ_status, o.starts_at FROM session_reminders r "
                "JOIN session_occurrences o ON o.id = r.occurrence_id "
                "WHERE r.status = 'pending' AND r.due_at <= ? ORDER BY r.due_at, r.id",
                (iso(now),),
            )
            send, skip = [], []
            for r in rows:
                fresh = (
                    r["due_at"] >= iso(grace_start)
                    and r["occ_status"] == "scheduled"
                    and r["starts_at"] == r["for_start"]
                    and r["starts_at"] > iso(now)
                )
                (send if fresh else skip).append(r)
            for status, group in (("sent", send), ("skipped", skip)):
                await tx.execute_many(
                    "UPDATE session_reminders SET status = ?, done_at = ? WHERE id = ?",
                    [(status, iso(now), r["id"]) for r in group],
                )
        reminders = [
            Reminder(
                r["id"],
                r["occurrence_id"],
                r["user_id"],
                r["lead_minutes"],
                _at(r["for_start"]),
                _at(r["due_at"]),
            )
            for r in send
        ]
        return reminders, len(skip)

    async def reminder(self, reminder_id: int) -> Reminder | None:
        row = await self.db.fetch_one(
            "SELECT * FROM session_reminders WHERE id = ?", (reminder_id,)
        )
        if row is None:
            return None
        return Reminder(
            row["id"],
            row["occurrence_id"],
            row["user_id"],
            row["lead_minutes"],
            _at(row["for_start"]),
            _at(row["due_at"]),
        )

    async def mark_failed(self, reminder_id: int) -> None:
        await self.db.execute(
            "UPDATE session_reminders SET status = 'failed' WHERE id = ?", (reminder_id,)
        )

    async def reminder_counts(self) -> dict[str, int]:
        rows = await self.db.fetch_all(
            "SELECT status, COUNT(*) AS n FROM session_reminders GROUP BY status"
        )
        return {r["status"]: int(r["n"]) for r in rows}

    # --- RSVPs -------------------------------------------------------------------------

    async def rsvp(
        self, occurrence_id: int, user_id: int, answer: str, reason: str | None, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO session_rsvps (occurrence_id, user_id, answer, reason, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (occurrence_id, user_id) DO UPDATE SET "
            "answer = excluded.answer, updated_at = excluded.updated_at, "
            # "can't make it" again keeps the reason given before; "I'll be there" clears it.
            "reason = CASE WHEN excluded.answer = 'no' "
            "THEN COALESCE(excluded.reason, session_rsvps.reason) END",
            (occurrence_id, user_id, answer, self.cipher.encrypt(reason), iso(now)),
        )

    async def rsvps(self, occurrence_id: int) -> dict[int, tuple[str, str | None]]:
        rows = await self.db.fetch_all(
            "SELECT user_id, answer, reason FROM session_rsvps WHERE occurrence_id = ?",
            (occurrence_id,),
        )
        return {int(r["user_id"]): (r["answer"], self.cipher.decrypt(r["reason"])) for r in rows}

    async def rsvp_counts(self, occurrence_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        if not occurrence_ids:
            return {}
        marks = ",".join("?" * len(occurrence_ids))
        rows = await self.db.fetch_all(
            "SELECT occurrence_id, SUM(answer = 'yes') AS yes, SUM(answer = 'no') AS no "  # noqa: S608 (placeholders only)
            f"FROM session_rsvps WHERE occurrence_id IN ({marks}) GROUP BY occurrence_id",
            tuple(occurrence_ids),
        )
        return {int(r["occurrence_id"]): (int(r["yes"]), int(r["no"])) for r in rows}

    # --- attendance --------------------------------------------------------------------

    async def attendance(self, occurrence_id: int) -> dict[int, str]:
        rows = await self.db.fetch_all(
            "SELECT user_id, status FROM session_attendance WHERE occurrence_id = ?",
            (occurrence_id,),
        )
        return {int(r["user_id"]): r["status"] for r in rows}

    async def mark(
        self, session: Session, user_ids: Sequence[int], status: str, by: int, now: datetime
    ) -> None:
        async with self.db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO session_attendance (occurrence_id, guild_id, cohort_id, user_id, "
                "status, marked_by, marked_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (occurrence_id, user_id) DO UPDATE SET status = excluded.status, "
                "marked_by = excluded.marked_by, marked_at = excluded.marked_at",
                [
                    (session.id, session.guild_id, session.cohort_id, uid, status, by, iso(now))
                    for uid in user_ids
                ],
            )

    async def claim_missed_dm(self, occurrence_id: int, user_id: int, now: datetime) -> bool:
        """True once per person and session: who should get the "we missed you" message."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT a.status, a.missed_dm_at, COALESCE(p.missed_dm, 1) AS wants "
                "FROM session_attendance a LEFT JOIN session_prefs p "
                "ON p.guild_id = a.guild_id AND p.user_id = a.user_id "
                "WHERE a.occurrence_id = ? AND a.user_id = ?",
                (occurrence_id, user_id),
            )
            if row is None or row["status"] != "absent" or row["missed_dm_at"] or not row["wants"]:
                return False
            await tx.execute(
                "UPDATE session_attendance SET missed_dm_at = ? WHERE occurrence_id = ? "
                "AND user_id = ?",
                (iso(now), occurrence_id, user_id),
            )
            return True


# --- for other features (check-in digest, cohort report) ------------------------------------


async def missed_sessions(db: Database, guild_id: int, user_id: int, since: datetime) -> int:
    """How many sessions starting at or after `since` this person was marked absent from."""
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n FROM session_attendance a JOIN session_occurrences o "
        "ON o.id = a.occurrence_id WHERE a.guild_id = ? AND a.user_id = ? "
        "AND a.status = 'absent' AND o.starts_at >= ?",
        (guild_id, user_id, iso(since)),
    )
    return int(row["n"]) if row else 0


async def missed_sessions_by_person(
    db: Database, guild_id: int, user_ids: Sequence[int], since: datetime
) -> dict[int, int]:
    """`missed_sessions` for many people in one query (the daily digest): people with none
    are left out. Driven by the server's sessions since `since`, so it reads only those."""
    counts: dict[int, int] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), 500):  # SQLite's parameter limit
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = await db.fetch_all(
            "SELECT a.user_id, COUNT(*) AS n FROM session_occurrences o "  # noqa: S608 (marks)
            "JOIN session_attendance a ON a.occurrence_id = o.id "
            "WHERE o.guild_id = ? AND o.starts_at >= ? AND a.guild_id = ? "
            f"AND a.user_id IN ({marks}) AND a.status = 'absent' GROUP BY a.user_id",
            (guild_id, iso(since), guild_id, *chunk),
        )
        counts.update((int(r["user_id"]), int(r["n"])) for r in rows)
    return counts


async def attendance_rows(db: Database, cohort_id: int) -> list[dict[str, Any]]:
    """Every attendance mark of a cohort, oldest session first, for reports (CSV-ready:
    plain strings and ints; times in UTC ISO plus the series' local time and zone)."""
    rows = await db.fetch_all(
        "SELECT o.id AS occurrence_id, o.series_id, s.title, s.kind, o.starts_at, s.timezone, "
        "o.status AS session_status, a.user_id, a.status, a.marked_by, a.marked_at "
        "FROM session_attendance a JOIN session_occurrences o ON o.id = a.occurrence_id "
        "JOIN session_series s ON s.id = o.series_id WHERE a.cohort_id = ? "
        "ORDER BY o.starts_at, a.user_id",
        (cohort_id,),
    )
    return [
        {
            "occurrence_id": r["occurrence_id"],
            "series_id": r["series_id"],
            "title": r["title"],
            "kind": r["kind"],
            "starts_at": r["starts_at"],
            "local_start": to_local(_at(r["starts_at"]), r["timezone"]).isoformat(
                timespec="minutes"
            ),
            "timezone": r["timezone"],
            "user_id": r["user_id"],
            "status": r["status"],
            "marked_by": r["marked_by"],
            "marked_at": r["marked_at"],
        }
        for r in rows
    ]
