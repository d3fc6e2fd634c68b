"""A session series and its occurrences as Lantern reads them, and how instants are
stored: ISO UTC text without microseconds, so text comparison is time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import aiosqlite

from cogs.sessions import texts
from cogs.sessions.recurrence import Rule


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def instant(value: str) -> datetime:
    """A stored instant, read back."""
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


def series_of_row(row: aiosqlite.Row) -> Series:
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
        planned_until=instant(row["planned_until"]) if row["planned_until"] else None,
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


def session_name(session: Session) -> str:
    return session.title or texts.KIND_LABELS.get(session.kind, "Session")


SESSION_SELECT = (
    "SELECT o.*, s.title, s.kind, s.timezone, s.location, s.link FROM session_occurrences o "
    "JOIN session_series s ON s.id = o.series_id"
)


def session_of_row(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        series_id=row["series_id"],
        guild_id=row["guild_id"],
        cohort_id=row["cohort_id"],
        original_start=datetime.fromisoformat(row["original_start"]),
        starts_at=instant(row["starts_at"]),
        ends_at=instant(row["ends_at"]),
        status=row["status"],
        moved=bool(row["moved"]),
        note=row["note"],
        event_id=row["event_id"],
        event_start=instant(row["event_start"]) if row["event_start"] else None,
        title=row["title"],
        kind=row["kind"],
        timezone=row["timezone"],
        location=row["location"],
        link=row["link"],
    )
