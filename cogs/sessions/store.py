"""SQL for session series and their occurrences (with their Discord events). Reminders
are in reminder_store.py, RSVPs and attendance in attendance_store.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.storage import Database, Transaction
from cogs.sessions.records import (
    SESSION_SELECT,
    Series,
    Session,
    iso,
    series_of_row,
    session_of_row,
)
from cogs.sessions.recurrence import Occurrence, Rule

__all__ = ["Series", "Session", "SessionStore"]


class SessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        return series_of_row(row) if row else None

    async def series_of_cohort(self, cohort_id: int) -> list[Series]:
        rows = await self.db.fetch_all(
            "SELECT * FROM session_series WHERE cohort_id = ? AND status = 'active' ORDER BY id",
            (cohort_id,),
        )
        return [series_of_row(r) for r in rows]

    async def series_of_guild(self, guild_id: int) -> list[Series]:
        rows = await self.db.fetch_all(
            "SELECT * FROM session_series WHERE guild_id = ? AND status = 'active' ORDER BY id",
            (guild_id,),
        )
        return [series_of_row(r) for r in rows]

    async def series_to_extend(self, until: datetime) -> list[Series]:
        """Active series whose occurrences don't reach `until` yet (and haven't ended)."""
        rows = await self.db.fetch_all(
            "SELECT * FROM session_series WHERE status = 'active' "
            "AND (planned_until IS NULL OR planned_until < ?)",
            (iso(until),),
        )
        return [series_of_row(r) for r in rows]

    async def end_series(self, tx: Transaction, series_id: int, ends_on: date) -> None:
        await tx.execute(
            "UPDATE session_series SET ends_on = ? WHERE id = ?", (ends_on.isoformat(), series_id)
        )

    async def carry_on(self, tx: Transaction, cohort_id: int, old_end: date, new_end: date) -> int:
        """Series of the cohort that ran to its old end date run to the new one; their
        occurrences are planned again from now (identities already there are kept)."""
        rows = await tx.fetch_all(
            "UPDATE session_series SET ends_on = ?, planned_until = NULL WHERE cohort_id = ? "
            "AND status = 'active' AND ends_on = ? AND weekdays != '' RETURNING id",
            (new_end.isoformat(), cohort_id, old_end.isoformat()),
        )
        return len(rows)

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
        row = await self.db.fetch_one(SESSION_SELECT + " WHERE o.id = ?", (occurrence_id,))
        return session_of_row(row) if row else None

    async def sessions_by_ids(self, ids: Sequence[int]) -> list[Session]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self.db.fetch_all(SESSION_SELECT + f" WHERE o.id IN ({marks})", tuple(ids))
        return [session_of_row(r) for r in rows]

    async def sessions_of_cohort(
        self,
        cohort_id: int,
        start: datetime,
        end: datetime,
        *,
        include_cancelled: bool = True,
    ) -> list[Session]:
        sql = SESSION_SELECT + " WHERE o.cohort_id = ? AND o.starts_at >= ? AND o.starts_at < ?"
        if not include_cancelled:
            sql += " AND o.status = 'scheduled'"
        rows = await self.db.fetch_all(
            sql + " ORDER BY o.starts_at, o.id", (cohort_id, iso(start), iso(end))
        )
        return [session_of_row(r) for r in rows]

    async def sessions_of_series(self, series_id: int, start: datetime) -> list[Session]:
        rows = await self.db.fetch_all(
            SESSION_SELECT + " WHERE o.series_id = ? AND o.starts_at >= ? ORDER BY o.starts_at",
            (series_id, iso(start)),
        )
        return [session_of_row(r) for r in rows]

    async def sessions_of_guild(
        self, guild_id: int, start: datetime, end: datetime
    ) -> list[Session]:
        rows = await self.db.fetch_all(
            SESSION_SELECT + " WHERE o.guild_id = ? AND o.starts_at >= ? AND o.starts_at < ? "
            "ORDER BY o.starts_at",
            (guild_id, iso(start), iso(end)),
        )
        return [session_of_row(r) for r in rows]

    async def future_scheduled(
        self, now: datetime, cohort_ids: Sequence[int] | None = None
    ) -> list[Session]:
        sql = SESSION_SELECT + " WHERE o.status = 'scheduled' AND o.starts_at > ?"
        params: list[Any] = [iso(now)]
        if cohort_ids is not None:
            if not cohort_ids:
                return []
            sql += f" AND o.cohort_id IN ({','.join('?' * len(cohort_ids))})"
            params += list(cohort_ids)
        rows = await self.db.fetch_all(sql, params)
        return [session_of_row(r) for r in rows]

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
            SESSION_SELECT + " WHERE o.guild_id = ? AND ("
            "(o.status = 'scheduled' AND o.starts_at > ? AND ("
            " (o.event_id IS NULL AND o.starts_at < ?) "
            " OR (o.event_id IS NOT NULL AND o.event_start != o.starts_at))) "
            "OR (o.status = 'cancelled' AND o.event_id IS NOT NULL))",
            (guild_id, iso(now), iso(until)),
        )
        return [session_of_row(r) for r in rows]

    async def guilds_with_sessions(self) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT DISTINCT guild_id FROM session_series WHERE status = 'active'"
        )
        return [int(r["guild_id"]) for r in rows]
