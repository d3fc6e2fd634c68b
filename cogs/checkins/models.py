"""What check-in rows become: schedules (`Settings`), prompts with their draft answers,
saved check-ins and assessments. Notes are decrypted by the cipher given to the mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

import aiosqlite

from bot.crypto import Cipher
from cogs.checkins import schedule
from cogs.checkins.logic import Answers, DayEntry


def when_of(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Settings:
    id: int
    guild_id: int
    user_id: int
    enabled: bool
    cadence: str
    local_time: time
    timezone: str
    days: frozenset[int]
    nudge: bool
    last_due_at: datetime | None
    dm_channel_id: int | None
    dm_closed_at: datetime | None
    stopped_reason: str | None

    @property
    def rule(self) -> schedule.Rule:
        return schedule.Rule(self.local_time, self.timezone, self.days)

    def describe(self) -> str:
        when = f"{schedule.format_time(self.local_time)} ({self.timezone})"
        if self.cadence == "weekly":
            return f"weekly on {schedule.format_days(self.days)} at {when}"
        return f"{schedule.format_days(self.days)} at {when}"


def settings_of(row: aiosqlite.Row, prefix: str = "") -> Settings:
    """`prefix`: the schedule's columns renamed in a join (its server and person are the
    joined row's own `guild_id` and `user_id`)."""
    return Settings(
        id=row[prefix + "id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        enabled=bool(row[prefix + "enabled"]),
        cadence=row[prefix + "cadence"],
        local_time=time.fromisoformat(row[prefix + "local_time"]),
        timezone=row[prefix + "timezone"],
        days=schedule.decode_days(row[prefix + "days"]),
        nudge=bool(row[prefix + "nudge"]),
        last_due_at=when_of(row[prefix + "last_due_at"]),
        dm_channel_id=row[prefix + "dm_channel_id"],
        dm_closed_at=when_of(row[prefix + "dm_closed_at"]),
        stopped_reason=row[prefix + "stopped_reason"],
    )


@dataclass(frozen=True)
class Prompt:
    id: int
    settings_id: int | None
    guild_id: int
    user_id: int
    kind: str
    due_at: datetime
    local_day: date
    status: str
    channel_id: int | None
    message_id: int | None
    nudge_at: datetime | None
    nudged_at: datetime | None
    answers: Answers
    share: bool
    share_note: bool


def prompt_of(row: aiosqlite.Row, cipher: Cipher) -> Prompt:
    return Prompt(
        id=row["id"],
        settings_id=row["settings_id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        kind=row["kind"],
        due_at=datetime.fromisoformat(row["due_at"]),
        local_day=date.fromisoformat(row["local_day"]),
        status=row["status"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        nudge_at=when_of(row["nudge_at"]),
        nudged_at=when_of(row["nudged_at"]),
        answers=Answers(
            row["mood"],
            row["cravings"],
            row["sleep_hours"],
            row["used"],
            cipher.decrypt(row["note"]),
        ),
        share=bool(row["share"]),
        share_note=bool(row["share_note"]),
    )


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


def checkin_of(row: aiosqlite.Row, cipher: Cipher) -> Checkin:
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


def assessment_of(row: aiosqlite.Row) -> Assessment:
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
        completed_at=when_of(row["completed_at"]),
    )


# More rows than this are decrypted in a worker thread: a year of notes would otherwise
# hold the event loop for tens of milliseconds.
HANDFUL = 8

Row = TypeVar("Row")


async def decrypted(
    rows: Sequence[aiosqlite.Row], cipher: Cipher, build: Callable[[aiosqlite.Row, Cipher], Row]
) -> list[Row]:
    """`build(row, cipher)` for every row; off the event loop when there are many notes."""
    if not cipher.enabled or len(rows) <= HANDFUL:
        return [build(r, cipher) for r in rows]
    return await asyncio.to_thread(lambda: [build(r, cipher) for r in rows])
