"""SQL for cohorts, enrolments and agreements. The only place with this feature's SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage import Database, Transaction
from cogs.cohorts.logic import CohortStatus, EnrollmentStatus


@dataclass(frozen=True)
class Cohort:
    id: int
    guild_id: int
    name: str
    starts_on: date
    ends_on: date
    capacity: int
    status: CohortStatus
    role_id: int | None
    history_role_id: int | None
    category_id: int | None
    announcements_channel_id: int | None
    group_channel_id: int | None
    checkins_channel_id: int | None
    voice_channel_id: int | None
    team_channel_id: int | None = None
    """Where its care team is asked and alerted (`/cohort team channel`); None: the
    server's staff channels."""

    @property
    def channel_ids(self) -> dict[str, int | None]:
        return {
            "category": self.category_id,
            "announcements": self.announcements_channel_id,
            "group": self.group_channel_id,
            "check-ins": self.checkins_channel_id,
            "voice": self.voice_channel_id,
        }


@dataclass(frozen=True)
class Enrollment:
    id: int
    cohort_id: int
    guild_id: int
    user_id: int
    status: EnrollmentStatus
    enrolled_at: datetime
    agreement_version: int | None
    consented_at: datetime | None
    consent_thread_id: int | None


def _cohort(row: aiosqlite.Row) -> Cohort:
    return Cohort(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        starts_on=date.fromisoformat(row["starts_on"]),
        ends_on=date.fromisoformat(row["ends_on"]),
        capacity=row["capacity"],
        status=CohortStatus(row["status"]),
        role_id=row["role_id"],
        history_role_id=row["history_role_id"],
        category_id=row["category_id"],
        announcements_channel_id=row["announcements_channel_id"],
        group_channel_id=row["group_channel_id"],
        checkins_channel_id=row["checkins_channel_id"],
        voice_channel_id=row["voice_channel_id"],
        team_channel_id=row["team_channel_id"],
    )


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _enrollment(row: aiosqlite.Row) -> Enrollment:
    return Enrollment(
        id=row["id"],
        cohort_id=row["cohort_id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        status=EnrollmentStatus(row["status"]),
        enrolled_at=datetime.fromisoformat(row["enrolled_at"]),
        agreement_version=row["agreement_version"],
        consented_at=_when(row["consented_at"]),
        consent_thread_id=row["consent_thread_id"],
    )


_OPEN = "('pending_consent', 'active')"


class CohortStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- cohorts ---------------------------------------------------------------------

    async def create(
        self,
        tx: Transaction,
        *,
        guild_id: int,
        name: str,
        starts_on: date,
        ends_on: date,
        capacity: int,
        created_by: int,
        now: datetime,
        channels: dict[str, int],
    ) -> int:
        return await tx.execute(
            "INSERT INTO cohorts (guild_id, name, starts_on, ends_on, capacity, role_id, "
            "category_id, announcements_channel_id, group_channel_id, checkins_channel_id, "
            "voice_channel_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            (
                guild_id,
                name,
                starts_on.isoformat(),
                ends_on.isoformat(),
                capacity,
                channels.get("role"),
                channels.get("category"),
                channels.get("announcements"),
                channels.get("group"),
                channels.get("check-ins"),
                channels.get("voice"),
                created_by,
                now.isoformat(),
            ),
        )

    async def get(self, guild_id: int, cohort_id: int) -> Cohort | None:
        row = await self.db.fetch_one(
            "SELECT * FROM cohorts WHERE guild_id = ? AND id = ?", (guild_id, cohort_id)
        )
        return _cohort(row) if row else None

    async def by_name(self, guild_id: int, name: str) -> Cohort | None:
        row = await self.db.fetch_one(
            "SELECT * FROM cohorts WHERE guild_id = ? AND name = ? COLLATE NOCASE "
            "AND status != 'deleted'",
            (guild_id, name),
        )
        return _cohort(row) if row else None

    async def list(self, guild_id: int, *, include_archived: bool = True) -> list[Cohort]:
        sql = "SELECT * FROM cohorts WHERE guild_id = ? AND status != 'deleted'"
        if not include_archived:
            sql += " AND status = 'active'"
        rows = await self.db.fetch_all(sql + " ORDER BY starts_on, name", (guild_id,))
        return [_cohort(r) for r in rows]

    async def all_active(self) -> list[Cohort]:
        rows = await self.db.fetch_all("SELECT * FROM cohorts WHERE status = 'active'")
        return [_cohort(r) for r in rows]

    async def update_ids(self, cohort_id: int, ids: dict[str, int | None]) -> None:
        columns = {
            "role": "role_id",
            "history_role": "history_role_id",
            "category": "category_id",
            "announcements": "announcements_channel_id",
            "group": "group_channel_id",
            "check-ins": "checkins_channel_id",
            "voice": "voice_channel_id",
        }
        sets = ", ".join(f"{columns[key]} = :{columns[key]}" for key in ids)
        params = {columns[key]: value for key, value in ids.items()}
        await self.db.execute(
            f"UPDATE cohorts SET {sets} WHERE id = :id",  # noqa: S608 (fixed column names)
            {**params, "id": cohort_id},
        )

    async def set_team_channel(self, cohort_id: int, channel_id: int | None) -> None:
        await self.db.execute(
            "UPDATE cohorts SET team_channel_id = ? WHERE id = ?", (channel_id, cohort_id)
        )

    async def extend(self, cohort_id: int, old_end: date, new_end: date) -> bool:
        """Move an active cohort's end date; False if it changed meanwhile (or was archived)."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE cohorts SET ends_on = ? WHERE id = ? AND ends_on = ? "
                "AND status = 'active' RETURNING id",
                (new_end.isoformat(), cohort_id, old_end.isoformat()),
            )
        return row is not None

    async def archive(self, cohort_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE cohorts SET status = 'archived', archived_at = ? WHERE id = ?",
            (now.isoformat(), cohort_id),
        )

    async def mark_deleted(self, cohort_id: int, now: datetime) -> None:
        """Discord channels are gone; the records (enrolments, graduations) stay as history."""
        await self.db.execute(
            "UPDATE cohorts SET status = 'deleted', archived_at = COALESCE(archived_at, ?) "
            "WHERE id = ?",
            (now.isoformat(), cohort_id),
        )

    async def owning(self, guild_id: int, object_id: int) -> tuple[Cohort, str] | None:
        """The live cohort whose role or channel has this id, and which piece it is."""
        for cohort in await self.list(guild_id):
            pieces = {**cohort.channel_ids, "role": cohort.role_id}
            for piece, piece_id in pieces.items():
                if piece_id == object_id:
                    return cohort, piece
        return None

    # --- enrolments ------------------------------------------------------------------

    async def open_enrollment(self, guild_id: int, user_id: int) -> Enrollment | None:
        row = await self.db.fetch_one(
            f"SELECT * FROM enrollments WHERE guild_id = ? AND user_id = ? AND status IN {_OPEN}",  # noqa: S608
            (guild_id, user_id),
        )
        return _enrollment(row) if row else None

    async def enrollment(self, enrollment_id: int) -> Enrollment | None:
        row = await self.db.fetch_one("SELECT * FROM enrollments WHERE id = ?", (enrollment_id,))
        return _enrollment(row) if row else None

    async def members(self, cohort_id: int, *, open_only: bool = True) -> list[Enrollment]:
        sql = "SELECT * FROM enrollments WHERE cohort_id = ?"
        if open_only:
            sql += f" AND status IN {_OPEN}"
        rows = await self.db.fetch_all(sql + " ORDER BY enrolled_at, id", (cohort_id,))
        return [_enrollment(r) for r in rows]

    async def count_open(self, cohort_id: int) -> int:
        row = await self.db.fetch_one(
            f"SELECT COUNT(*) AS n FROM enrollments WHERE cohort_id = ? AND status IN {_OPEN}",  # noqa: S608
            (cohort_id,),
        )
        return int(row["n"]) if row else 0

    async def open_enrollments(self, guild_id: int) -> list[Enrollment]:
        rows = await self.db.fetch_all(
            f"SELECT * FROM enrollments WHERE guild_id = ? AND status IN {_OPEN}",  # noqa: S608
            (guild_id,),
        )
        return [_enrollment(r) for r in rows]

    async def enroll(
        self, tx: Transaction, *, cohort: Cohort, user_id: int, by: int, now: datetime
    ) -> int:
        """A pending enrolment (access comes with consent). The partial unique index makes
        a second open enrolment impossible even if two facilitators click at once."""
        return await tx.execute(
            "INSERT INTO enrollments (cohort_id, guild_id, user_id, status, enrolled_by, "
            "enrolled_at) VALUES (?, ?, ?, 'pending_consent', ?, ?)",
            (cohort.id, cohort.guild_id, user_id, by, now.isoformat()),
        )

    async def set_consent_thread(self, enrollment_id: int, thread_id: int) -> None:
        await self.db.execute(
            "UPDATE enrollments SET consent_channel = 'thread', consent_thread_id = ? WHERE id = ?",
            (thread_id, enrollment_id),
        )

    async def consent(self, enrollment_id: int, version: int, now: datetime) -> bool:
        """Record "I agree"; False if the enrolment is no longer waiting for it."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT status FROM enrollments WHERE id = ?", (enrollment_id,)
            )
            if row is None or row["status"] != EnrollmentStatus.PENDING_CONSENT:
                return False
            await tx.execute(
                "UPDATE enrollments SET status = 'active', agreement_version = ?, "
                "consented_at = ?, consent_channel = COALESCE(consent_channel, 'dm') "
                "WHERE id = ?",
                (version, now.isoformat(), enrollment_id),
            )
            return True

    async def end(
        self,
        enrollment_id: int,
        status: EnrollmentStatus,
        *,
        by: int,
        reason: str | None,
        now: datetime,
        keeps_history: bool = False,
    ) -> None:
        await self.db.execute(
            "UPDATE enrollments SET status = ?, ended_at = ?, ended_by = ?, end_reason = ?, "
            "keeps_history = ? WHERE id = ?",
            (str(status), now.isoformat(), by, reason, int(keeps_history), enrollment_id),
        )

    async def graduate(
        self, enrollment: Enrollment, *, by: int, on: date, now: datetime, keeps_history: bool
    ) -> bool:
        """Mark graduated; False if already graduated (graduation is idempotent)."""
        async with self.db.transaction() as tx:
            done = await tx.fetch_one(
                "SELECT 1 FROM graduations WHERE guild_id = ? AND user_id = ? AND cohort_id = ?",
                (enrollment.guild_id, enrollment.user_id, enrollment.cohort_id),
            )
            if done:
                return False
            await tx.execute(
                "UPDATE enrollments SET status = 'graduated', ended_at = ?, ended_by = ?, "
                "keeps_history = ? WHERE id = ?",
                (now.isoformat(), by, int(keeps_history), enrollment.id),
            )
            await tx.execute(
                "INSERT INTO graduations (guild_id, user_id, cohort_id, graduated_on, "
                "graduated_by) VALUES (?, ?, ?, ?, ?)",
                (enrollment.guild_id, enrollment.user_id, enrollment.cohort_id, on.isoformat(), by),
            )
            return True

    async def graduated_on(self, guild_id: int, user_id: int, cohort_id: int) -> date | None:
        row = await self.db.fetch_one(
            "SELECT graduated_on FROM graduations WHERE guild_id = ? AND user_id = ? "
            "AND cohort_id = ?",
            (guild_id, user_id, cohort_id),
        )
        return date.fromisoformat(row["graduated_on"]) if row else None

    async def graduates(self, guild_id: int) -> list[tuple[int, int, str, date]]:
        """(user id, cohort id, cohort name, graduation day) of the server's graduates."""
        rows = await self.db.fetch_all(
            "SELECT g.user_id, g.cohort_id, c.name, g.graduated_on FROM graduations g "
            "JOIN cohorts c ON c.id = g.cohort_id WHERE g.guild_id = ? "
            "ORDER BY g.graduated_on, g.user_id",
            (guild_id,),
        )
        return [(int(r[0]), int(r[1]), str(r[2]), date.fromisoformat(r[3])) for r in rows]

    async def graduations_since(self, day: date) -> list[tuple[int, int, int, str]]:
        """(guild id, user id, cohort id, cohort name) of everyone graduated on or after
        `day`."""
        rows = await self.db.fetch_all(
            "SELECT g.guild_id, g.user_id, g.cohort_id, c.name FROM graduations g "
            "JOIN cohorts c ON c.id = g.cohort_id WHERE g.graduated_on >= ? "
            "ORDER BY g.graduated_on, g.user_id",
            (day.isoformat(),),
        )
        return [(int(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in rows]

    async def graduation_guild(self, user_id: int, cohort_id: int) -> int | None:
        """The server where this person graduated from this cohort, if they did."""
        row = await self.db.fetch_one(
            "SELECT guild_id FROM graduations WHERE user_id = ? AND cohort_id = ?",
            (user_id, cohort_id),
        )
        return int(row["guild_id"]) if row else None

    async def mark_congratulated(self, guild_id: int, user_id: int, cohort_id: int) -> bool:
        """Record the graduate's yes to a celebration; False if it was already recorded."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE graduations SET congratulate = 1 WHERE guild_id = ? AND user_id = ? "
                "AND cohort_id = ? AND congratulate = 0 RETURNING 1",
                (guild_id, user_id, cohort_id),
            )
        return row is not None

    async def history(self, cohort_id: int) -> list[Enrollment]:
        """Everyone ever enrolled, latest enrolment per person."""
        return await self.members(cohort_id, open_only=False)

    # --- the group agreement ---------------------------------------------------------

    async def agreement(self, guild_id: int) -> tuple[int, str] | None:
        row = await self.db.fetch_one(
            "SELECT version, text FROM agreements WHERE guild_id = ? ORDER BY version DESC LIMIT 1",
            (guild_id,),
        )
        return (int(row["version"]), str(row["text"])) if row else None

    async def save_agreement(self, guild_id: int, text: str, by: int, now: datetime) -> int:
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT COALESCE(MAX(version), 0) AS v FROM agreements WHERE guild_id = ?",
                (guild_id,),
            )
            version = int(row["v"] if row else 0) + 1
            await tx.execute(
                "INSERT INTO agreements (guild_id, version, text, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (guild_id, version, text, by, now.isoformat()),
            )
            return version
