"""SQL for RSVPs and attendance marks, and the attendance facts other features read
(through cogs/sessions/api.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.sessions.records import Session, instant, iso
from cogs.sessions.recurrence import to_local


class AttendanceStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher  # RSVP reasons are free text about someone's life

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
            "SELECT occurrence_id, COUNT(CASE WHEN answer = 'yes' THEN 1 END) AS yes, "  # noqa: S608 (placeholders only)
            "COUNT(CASE WHEN answer = 'no' THEN 1 END) AS no "
            f"FROM session_rsvps WHERE occurrence_id IN ({marks}) GROUP BY occurrence_id",
            tuple(occurrence_ids),
        )
        return {int(r["occurrence_id"]): (int(r["yes"]), int(r["no"])) for r in rows}

    # --- attendance --------------------------------------------------------------------

    async def marks(self, occurrence_id: int) -> dict[int, str]:
        """user id -> present / absent / excused, for those marked."""
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
        """True once per person and session: who should get the "we missed you" message
        (one conditional update: exactly once across processes too)."""
        row = await self.db.fetch_one(
            "UPDATE session_attendance SET missed_dm_at = ? WHERE occurrence_id = ? "
            "AND user_id = ? AND status = 'absent' AND missed_dm_at IS NULL "
            "AND COALESCE((SELECT p.missed_dm FROM session_prefs p "
            "WHERE p.guild_id = session_attendance.guild_id "
            "AND p.user_id = session_attendance.user_id), 1) = 1 RETURNING 1",
            (iso(now), occurrence_id, user_id),
        )
        return row is not None


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
            "local_start": to_local(instant(r["starts_at"]), r["timezone"]).isoformat(
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
