"""SQL for reminders: lead times (server and cohort), people's reminder choices, and the
reminder rows themselves (planned, claimed at most once, sent or skipped)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage import Database, Transaction
from cogs.cohorts.api import Membership
from cogs.sessions.records import instant, iso
from cogs.sessions.recurrence import DEFAULT_DM_LEAD, DEFAULT_LEADS


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


class ReminderStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.members = Membership(db)  # who is in a cohort belongs to cohorts

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

    async def next_due(self, scope: str = "1 = 1") -> datetime | None:
        """The earliest pending reminder of the servers in `scope` (a SQL condition on
        `o.guild_id`: this process's servers)."""
        row = await self.db.fetch_one(
            "SELECT MIN(r.due_at) AS due FROM session_reminders r JOIN session_occurrences o "  # noqa: S608
            f"ON o.id = r.occurrence_id WHERE r.status = 'pending' AND {scope}"
        )
        return instant(row["due"]) if row and row["due"] else None

    async def claim_due(
        self, now: datetime, grace_start: datetime, scope: str = "1 = 1"
    ) -> tuple[list[Reminder], int]:
        """Take every pending reminder due by `now`: those due since `grace_start` whose
        session is still on at that time are marked sent and returned (at most once, even if
        sending then fails); older or stale ones are marked skipped. Returns (to send, skipped)."""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT r.*, o.status AS occ_status, o.starts_at FROM session_reminders r "  # noqa: S608
                "JOIN session_occurrences o ON o.id = r.occurrence_id "
                f"WHERE r.status = 'pending' AND r.due_at <= ? AND {scope} "
                "ORDER BY r.due_at, r.id",
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
            # Conditional on still pending: a reminder another process took meanwhile
            # (PostgreSQL, READ COMMITTED) is left to it, never sent twice.
            taken: set[int] = set()
            for status, group in (("sent", send), ("skipped", skip)):
                for chunk in _chunks([r["id"] for r in group]):
                    marks = ", ".join("?" for _ in chunk)
                    done = await tx.fetch_all(
                        f"UPDATE session_reminders SET status = ?, done_at = ? "  # noqa: S608
                        f"WHERE id IN ({marks}) AND status = 'pending' RETURNING id",
                        (status, iso(now), *chunk),
                    )
                    taken |= {d[0] for d in done}
            send = [r for r in send if r["id"] in taken]
            skip = [r for r in skip if r["id"] in taken]
        reminders = [
            Reminder(
                r["id"],
                r["occurrence_id"],
                r["user_id"],
                r["lead_minutes"],
                instant(r["for_start"]),
                instant(r["due_at"]),
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
            instant(row["for_start"]),
            instant(row["due_at"]),
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


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Stay well under SQLite's parameter limit."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
