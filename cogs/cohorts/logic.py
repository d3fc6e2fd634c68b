"""Pure rules for cohorts, enrolment and milestones (no Discord, no database)."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MAX_NAME = 40
DEFAULT_CAPACITY = 15
MAX_CAPACITY = 50


class CohortStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class EnrollmentStatus(StrEnum):
    PENDING_CONSENT = "pending_consent"  # enrolled, waiting for "I agree"
    ACTIVE = "active"  # consented; has channel access
    REMOVED = "removed"
    GRADUATED = "graduated"


OPEN_STATUSES = (EnrollmentStatus.PENDING_CONSENT, EnrollmentStatus.ACTIVE)


class CohortRuleError(ValueError):
    """A cohort rule was broken; the message is written for the facilitator."""


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise CohortRuleError("Give the cohort a name, e.g. `Spring Evening 2026`.")
    if len(name) > MAX_NAME:
        raise CohortRuleError(f"Cohort names can be at most {MAX_NAME} characters.")
    if not slug(name):
        raise CohortRuleError("The cohort name needs at least one letter or digit.")
    return name


def slug(name: str) -> str:
    """A channel-safe form: 'Spring Evening 2026' -> 'spring-evening-2026'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_NAME]


def parse_day(raw: str, label: str) -> date:
    try:
        value = date.fromisoformat(raw.strip())
        # Far dates overflow date arithmetic later (9999-12-31 + a day) and are typos.
        if not 2000 <= value.year <= 2100:
            raise CohortRuleError(f"The {label} date must be between 2000 and 2100.")
        return value
    except CohortRuleError:
        raise
    except ValueError:
        raise CohortRuleError(
            f"The {label} date `{raw[:20]}` isn't a date I understand. Use YYYY-MM-DD, "
            "e.g. 2026-03-02."
        ) from None


def validate_dates(start: date, end: date) -> None:
    if end <= start:
        raise CohortRuleError("The end date must be after the start date.")
    if (end - start).days > 366:
        raise CohortRuleError("A cohort can run for at most a year.")


def validate_capacity(capacity: int | None) -> int:
    value = DEFAULT_CAPACITY if capacity is None else capacity
    if not 1 <= value <= MAX_CAPACITY:
        raise CohortRuleError(f"Capacity must be between 1 and {MAX_CAPACITY}.")
    return value


@dataclass(frozen=True)
class Milestone:
    key: str  # stable id stored once announced, e.g. "30d", "6m", "1y", "3y"
    label: str  # how people read it
    reached_on: date


def _add_months(day: date, months: int) -> date:
    """Same day of the month, clamped to the month's end (Aug 31 + 6 months -> Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def milestones_between(start: date, until: date) -> list[Milestone]:
    """Every milestone from a recovery start date up to and including `until`."""
    found = [
        Milestone(f"{days}d", f"{days} days", start + timedelta(days=days)) for days in (30, 60, 90)
    ]
    found.append(Milestone("6m", "6 months", _add_months(start, 6)))
    years = 1
    while (anniversary := _add_months(start, 12 * years)) <= until:
        label = "1 year" if years == 1 else f"{years} years"
        found.append(Milestone(f"{years}y", label, anniversary))
        years += 1
    return [m for m in found if m.reached_on <= until]


def milestones_due(
    start: date, today: date, announced: set[str], window_days: int = 7
) -> list[Milestone]:
    """Milestones reached recently and not yet announced.

    Only the last `window_days` count, so opting in with an old start date doesn't
    announce a backlog of past anniversaries at once.
    """
    earliest = today - timedelta(days=window_days)
    return [
        m
        for m in milestones_between(start, today)
        if m.key not in announced and m.reached_on >= earliest
    ]
