"""SQL for saved check-ins and assessments (and the cohort option that enables them):
part of `CheckinStore`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.crypto import Cipher
from bot.storage import Database
from cogs.checkins.logic import Answers, DayEntry
from cogs.checkins.prompt_store import Prompt, _when


@dataclass(frozen=True)
class Checkin:
    id: int
    guild_id: int
    user_id: int
    cohort_id: int | None
    local_day: date
    mood: int
    cravings: int | None
    sleep_hours: int | None
    used: str | None
    note: str | None
    shared: bool
    created_at: datetime

    @property
    def entry(self) -> DayEntry:
        return DayEntry(self.local_day, self.mood, self.cravings, self.sleep_hours, self.used)

    @property
    def answers(self) -> Answers:
        return Answers(self.mood, self.cravings, self.sleep_hours, self.used, self.note)


def _checkin(row: aiosqlite.Row, cipher: Cipher) -> Checkin:
    return Checkin(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        cohort_id=row["cohort_id"],
        local_day=date.fromisoformat(row["local_day"]),
        mood=row["mood"],
        cravings=row["cravings"],
        sleep_hours=row["sleep_hours"],
        used=row["used"],
        note=cipher.decrypt(row["note"]),
        shared=bool(row["shared"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )


@dataclass(frozen=True)
class Assessment:
    id: int
    guild_id: int
    user_id: int
    cohort_id: int | None
    instrument: str
    answers: str
    score: int | None
    band: str | None
    started_at: datetime
    completed_at: datetime | None


def _assessment(row: aiosqlite.Row) -> Assessment:
    return Assessment(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        cohort_id=row["cohort_id"],
        instrument=row["instrument"],
        answers=row["answers"],
        score=row["score"],
        band=row["band"],
        started_at=datetime.fromisoformat(row["started_at"]),
        completed_at=_when(row["completed_at"]),
    )


class CheckinsAndAssessments:
    """Check-ins and assessments; mixed into `CheckinStore`, which provides `db` and `cipher`."""

    db: Database
    cipher: Cipher

    # --- check-ins -------------------------------------------------------------------

    async def checkin_on(self, guild_id: int, user_id: int, day: date) -> Checkin | None:
        row = await self.db.fetch_one(
            "SELECT * FROM checkins WHERE guild_id = ? AND user_id = ? AND local_day = ?",
            (guild_id, user_id, day.isoformat()),
        )
        return _checkin(row, self.cipher) if row else None

    async def submit(
        self, prompt: Prompt, *, cohort_id: int | None, replace: bool, now: datetime
    ) -> bool:
        """Save the prompt's answers as the day's check-in. False when one already exists
        and `replace` is not set (or the prompt was answered meanwhile): nothing changed."""
        a = prompt.answers
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT status FROM checkin_prompts WHERE id = ?", (prompt.id,)
            )
            if row is None or row["status"] != "sent":
                return False
            existing = await tx.fetch_one(
                "SELECT id FROM checkins WHERE guild_id = ? AND user_id = ? AND local_day = ?",
                (prompt.guild_id, prompt.user_id, prompt.local_day.isoformat()),
            )
            if existing is not None and not replace:
                return False
            if existing is not None:
                await tx.execute("DELETE FROM checkins WHERE id = ?", (existing["id"],))
            await tx.execute(
                "INSERT INTO checkins (guild_id, user_id, cohort_id, local_day, mood, cravings, "
                "sleep_hours, used, note, shared, prompt_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    prompt.guild_id,
                    prompt.user_id,
                    cohort_id,
                    prompt.local_day.isoformat(),
                    a.mood,
                    a.cravings,
                    a.sleep_hours,
                    a.used,
                    self.cipher.encrypt(a.note),
                    int(prompt.share),
                    prompt.id,
                    now.isoformat(),
                ),
            )
            await tx.execute(
                "UPDATE checkin_prompts SET status = 'answered' WHERE id = ?", (prompt.id,)
            )
            return True

    async def set_shared(self, guild_id: int, user_id: int, day: date, shared: bool) -> None:
        await self.db.execute(
            "UPDATE checkins SET shared = ? WHERE guild_id = ? AND user_id = ? AND local_day = ?",
            (int(shared), guild_id, user_id, day.isoformat()),
        )

    async def checkins(self, guild_id: int, user_id: int, since: date) -> list[Checkin]:
        rows = await self.db.fetch_all(
            "SELECT * FROM checkins WHERE guild_id = ? AND user_id = ? AND local_day >= ? "
            "ORDER BY local_day",
            (guild_id, user_id, since.isoformat()),
        )
        return [_checkin(r, self.cipher) for r in rows]

    async def all_checkin_days(self, guild_id: int, user_id: int) -> list[date]:
        rows = await self.db.fetch_all(
            "SELECT local_day FROM checkins WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return [date.fromisoformat(r["local_day"]) for r in rows]

    async def cohort_checkins(self, guild_id: int, user_ids: list[int]) -> list[Checkin]:
        if not user_ids:
            return []
        marks = ", ".join("?" for _ in user_ids)
        rows = await self.db.fetch_all(
            f"SELECT * FROM checkins WHERE guild_id = ? AND user_id IN ({marks}) "  # noqa: S608
            "ORDER BY user_id, local_day",
            (guild_id, *user_ids),
        )
        return [_checkin(r, self.cipher) for r in rows]

    # --- assessments -----------------------------------------------------------------

    async def cohorts_with_assessments(self) -> set[int]:
        rows = await self.db.fetch_all(
            "SELECT cohort_id FROM checkin_cohort_options WHERE assessments = 1"
        )
        return {int(r["cohort_id"]) for r in rows}

    async def assessments_enabled(self, cohort_id: int) -> bool:
        row = await self.db.fetch_one(
            "SELECT assessments FROM checkin_cohort_options WHERE cohort_id = ?", (cohort_id,)
        )
        return bool(row and row["assessments"])

    async def set_assessments(self, cohort_id: int, enabled: bool, by: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_cohort_options (cohort_id, assessments, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (cohort_id) DO UPDATE SET "
            "assessments = excluded.assessments, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (cohort_id, int(enabled), by, now.isoformat()),
        )

    async def start_assessment(
        self, guild_id: int, user_id: int, cohort_id: int | None, instrument: str, now: datetime
    ) -> int:
        return await self.db.execute(
            "INSERT INTO assessments (guild_id, user_id, cohort_id, instrument, started_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (guild_id, user_id, cohort_id, instrument, now.isoformat()),
        )

    async def assessment(self, assessment_id: int) -> Assessment | None:
        row = await self.db.fetch_one("SELECT * FROM assessments WHERE id = ?", (assessment_id,))
        return _assessment(row) if row else None

    async def answer_item(self, assessment_id: int, item: int, value: int) -> str | None:
        """Record the answer to `item` if it is the next one expected; returns the answers
        so far, or None if that item was already answered (a double tap)."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT answers, completed_at FROM assessments WHERE id = ?", (assessment_id,)
            )
            if row is None or row["completed_at"] is not None:
                return None
            answers = [a for a in str(row["answers"]).split(",") if a]
            if len(answers) != item:
                return None
            answers.append(str(value))
            text = ",".join(answers)
            await tx.execute(
                "UPDATE assessments SET answers = ? WHERE id = ?", (text, assessment_id)
            )
            return text

    async def complete_assessment(
        self, assessment_id: int, total: int, band: str, now: datetime
    ) -> None:
        await self.db.execute(
            "UPDATE assessments SET score = ?, band = ?, completed_at = ? WHERE id = ?",
            (total, band, now.isoformat(), assessment_id),
        )

    async def completed_assessments(
        self, guild_id: int, user_id: int, instrument: str | None = None
    ) -> list[Assessment]:
        sql = (
            "SELECT * FROM assessments WHERE guild_id = ? AND user_id = ? "
            "AND completed_at IS NOT NULL"
        )
        params: list[Any] = [guild_id, user_id]
        if instrument is not None:
            sql += " AND instrument = ?"
            params.append(instrument)
        rows = await self.db.fetch_all(sql + " ORDER BY completed_at", params)
        return [_assessment(r) for r in rows]

    async def cohort_assessments(self, guild_id: int, user_ids: list[int]) -> list[Assessment]:
        if not user_ids:
            return []
        marks = ", ".join("?" for _ in user_ids)
        rows = await self.db.fetch_all(
            f"SELECT * FROM assessments WHERE guild_id = ? AND user_id IN ({marks}) "  # noqa: S608
            "AND completed_at IS NOT NULL ORDER BY user_id, completed_at",
            (guild_id, *user_ids),
        )
        return [_assessment(r) for r in rows]
