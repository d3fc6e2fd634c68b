"""Pure rules for cohorts and enrolment (no Discord, no database)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
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


def validate_extension(start: date, old_end: date, new_end: date, today: date) -> None:
    """A cohort's new end date: later than the current one and not in the past."""
    if new_end <= old_end:
        raise CohortRuleError(
            f"The new end date must be after the current one ({old_end:%b %d, %Y}). To end a "
            "cohort early, graduate its people and archive it."
        )
    if new_end < today:
        raise CohortRuleError("The new end date is in the past.")
    validate_dates(start, new_end)


def validate_capacity(capacity: int | None) -> int:
    value = DEFAULT_CAPACITY if capacity is None else capacity
    if not 1 <= value <= MAX_CAPACITY:
        raise CohortRuleError(f"Capacity must be between 1 and {MAX_CAPACITY}.")
    return value
