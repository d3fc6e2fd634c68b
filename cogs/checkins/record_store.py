"""SQL for saved check-ins and assessments (and the cohort option that enables them).

The digest and streaks read only the rows their rules look at (the last few check-ins up to
a day, the consecutive days ending today, the first and latest two scores per
questionnaire) through the unique and person indexes, so they cost the same after a year as
after a week."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.checkins import logic
from cogs.checkins.logic import DayEntry
from cogs.checkins.models import Assessment, Checkin, Prompt, assessment_of, checkin_of, decrypted

# Statements read this many people at a time (each brings a few parameters and
# sub-selects; SQLite caps both).
PEOPLE_AT_ONCE = 50


class RecordStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        # Notes are health data: encrypted at rest with the data key.
        self.cipher = cipher

    async def last_days(self, guild_id: int) -> dict[int, date]:
        """Each person's latest check-in day on the server (the day only, no answers)."""
        rows = await self.db.fetch_all(
            "SELECT user_id, MAX(local_day) FROM checkins WHERE guild_id = ? GROUP BY user_id",
            (guild_id,),
        )
        return {int(r[0]): date.fromisoformat(r[1]) for r in rows}

    # --- check-ins -------------------------------------------------------------------

    async def checkin_on(self, guild_id: int, user_id: int, day: date) -> Checkin | None:
        row = await self.db.fetch_one(
            "SELECT * FROM checkins WHERE guild_id = ? AND user_id = ? AND local_day = ?",
            (guild_id, user_id, day.isoformat()),
        )
        return checkin_of(row, self.cipher) if row else None

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
        return await decrypted(rows, self.cipher, checkin_of)

    async def streak(self, guild_id: int, user_id: int, today: date) -> int:
        """`logic.streak` over the days that can count: read newest first, a page at a time,
        until a gap ends the run (not the whole history)."""
        days: list[date] = []
        page = 32
        while True:
            rows = await self.db.fetch_all(
                "SELECT local_day FROM checkins WHERE guild_id = ? AND user_id = ? "
                "AND local_day <= ? ORDER BY local_day DESC LIMIT ? OFFSET ?",
                (guild_id, user_id, today.isoformat(), page, len(days)),
            )
            days.extend(date.fromisoformat(r["local_day"]) for r in rows)
            run = logic.streak(days, today)
            # The run is complete unless it reaches the oldest day read and more may exist.
            if len(rows) < page or not days or days[-1] < today - timedelta(days=run):
                return run
            page *= 2

    async def recent_entries(
        self, guild_id: int, user_ids: list[int], day: date, count: int = 4
    ) -> dict[int, list[DayEntry]]:
        """Each person's last `count` check-ins up to and including `day`, oldest first:
        all the digest's rules look at (that day, the three before it, the last one)."""
        found: dict[int, list[DayEntry]] = defaultdict(list)
        one = (
            "SELECT * FROM (SELECT user_id, local_day, mood, cravings, sleep_hours, used "
            "FROM checkins WHERE guild_id = ? AND user_id = ? AND local_day <= ? "
            "ORDER BY local_day DESC LIMIT ?) AS recent"
        )
        for chunk in _chunks(user_ids):
            rows = await self.db.fetch_all(
                " UNION ALL ".join(one for _ in chunk),
                [p for uid in chunk for p in (guild_id, uid, day.isoformat(), count)],
            )
            for r in rows:  # newest first within each person
                found[r["user_id"]].insert(
                    0,
                    DayEntry(
                        date.fromisoformat(r["local_day"]),
                        r["mood"],
                        r["cravings"],
                        r["sleep_hours"],
                        r["used"],
                    ),
                )
        return found

    async def cohort_checkins(self, guild_id: int, user_ids: list[int]) -> list[Checkin]:
        if not user_ids:
            return []
        marks = ", ".join("?" for _ in user_ids)
        rows = await self.db.fetch_all(
            f"SELECT * FROM checkins WHERE guild_id = ? AND user_id IN ({marks}) "  # noqa: S608
            "ORDER BY user_id, local_day",
            (guild_id, *user_ids),
        )
        return await decrypted(rows, self.cipher, checkin_of)

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
        return assessment_of(row) if row else None

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
        return [assessment_of(r) for r in rows]

    async def score_trends(self, guild_id: int, user_ids: list[int]) -> dict[int, list[Assessment]]:
        """Per person, in the order they were completed: each questionnaire's first score
        and its latest two. `digest.band_rises` gives the same answer on these as on the
        whole history (the latest two decide, the first ones keep the instruments' order)."""
        found: dict[int, dict[int, Assessment]] = defaultdict(dict)
        one = (
            "SELECT * FROM (SELECT * FROM assessments WHERE guild_id = ? AND user_id = ? "
            "AND instrument = ? AND completed_at IS NOT NULL ORDER BY completed_at {} LIMIT {}) "
            "AS one"
        )
        latest, first = one.format("DESC", 2), one.format("ASC", 1)
        for chunk in _chunks(user_ids):
            parts, params = [], []
            for uid in chunk:
                for key in logic.INSTRUMENTS:
                    parts += [latest, first]
                    params += [guild_id, uid, key] * 2
            for r in await self.db.fetch_all(" UNION ALL ".join(parts), params):
                found[r["user_id"]][r["id"]] = assessment_of(r)
        # Ties (same instant) in the order the whole-history read gave them: by instrument.
        return {
            uid: sorted(
                rows.values(), key=lambda a: (a.completed_at or a.started_at, a.instrument, a.id)
            )
            for uid, rows in found.items()
        }

    async def cohort_assessments(self, guild_id: int, user_ids: list[int]) -> list[Assessment]:
        if not user_ids:
            return []
        marks = ", ".join("?" for _ in user_ids)
        rows = await self.db.fetch_all(
            f"SELECT * FROM assessments WHERE guild_id = ? AND user_id IN ({marks}) "  # noqa: S608
            "AND completed_at IS NOT NULL ORDER BY user_id, completed_at",
            (guild_id, *user_ids),
        )
        return [assessment_of(r) for r in rows]


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + PEOPLE_AT_ONCE] for i in range(0, len(ids), PEOPLE_AT_ONCE)]
