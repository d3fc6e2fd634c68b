"""Pure rules for what facilitators type into `/session add` and `/session move`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlparse

from bot.inputs import has_visible
from cogs.sessions.recurrence import (
    RecurrenceError,
    Rule,
    format_clock,
    local_kind,
    parse_date,
    parse_duration,
    parse_time,
    parse_weekdays,
    resolve_local,
    to_local,
)

T = TypeVar("T")
MAX_TITLE = 80
MAX_LOCATION = 200


def named(field: str, parse: Callable[[str], T], raw: str) -> T:
    """`parse(raw)`, its error naming the option the person has to fix."""
    try:
        return parse(raw)
    except RecurrenceError as exc:
        raise RecurrenceError(f"`{field}`: {exc}") from None


def clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not has_visible(title):  # also zero-width-only text, which would show as nothing
        raise RecurrenceError("`title`: Give the session a title, e.g. `Group therapy`.")
    if len(title) > MAX_TITLE:
        raise RecurrenceError(f"`title`: Keep the title under {MAX_TITLE} characters.")
    return title


def clean_location(raw: str | None) -> str | None:
    if raw is None or not has_visible(raw):  # blank means no location
        return None
    location = " ".join(raw.split())
    if len(location) > MAX_LOCATION:
        raise RecurrenceError(f"`location`: Keep the location under {MAX_LOCATION} characters.")
    return location


def clean_link(raw: str | None) -> str | None:
    if raw is None or not has_visible(raw):
        return None
    link = raw.strip()
    parsed = urlparse(link)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in link:
        raise RecurrenceError(
            "`link`: The link must be a web address starting with https:// or http://."
        )
    if len(link) > 500:
        raise RecurrenceError("`link`: That link is too long (500 characters at most).")
    return link


def build_rule(
    *,
    weekdays: str,
    at: str,
    duration: str,
    zone: str,
    today: date,
    cohort_start: date,
    cohort_end: date,
    starts: str | None,
    ends: str | None,
) -> Rule:
    """The series a facilitator described. A one-off is `weekdays: once` with `starts`.
    A series runs from `starts` (default: today or the cohort's first day, whichever is
    later) to `ends` (default: the cohort's last day)."""
    days = named("weekdays", parse_weekdays, weekdays)
    start_time = named("time", parse_time, at)
    minutes = named("duration", parse_duration, duration)
    if not days and starts is None:
        raise RecurrenceError("A one-off session needs its date: add `starts:YYYY-MM-DD`.")
    first = parse_date(starts, "start") if starts else max(today, cohort_start)
    if first < today:
        raise RecurrenceError(f"`starts`: The start date {first} is in the past.")
    if not days:
        last = first
        if ends is not None and parse_date(ends, "end") != first:
            raise RecurrenceError("A one-off session has no end date; leave `ends` out.")
    else:
        last = parse_date(ends, "end") if ends else cohort_end
        if ends is None and last < first:
            raise RecurrenceError(
                f"The cohort ends on {cohort_end}, before this series would start. "
                "Give an `ends:` date."
            )
    return Rule(days, start_time, minutes, zone, first, last)


def dst_notes(rule: Rule, limit: int = 3) -> list[str]:
    """Dates on which the series' local time doesn't exist or happens twice, and what
    Lantern does then (see recurrence.py)."""
    notes: list[str] = []
    day = rule.starts_on
    last = min(rule.ends_on, rule.starts_on + timedelta(days=366))
    while day <= last and len(notes) < limit:
        if rule.once or day.weekday() in rule.weekdays:
            local = datetime.combine(day, rule.start_time)
            kind = local_kind(local, rule.zone)
            if kind == "gap":
                actual = to_local(resolve_local(local, rule.zone), rule.zone)
                notes.append(
                    f"{day:%a %b} {day.day}: {format_clock(local)} doesn't exist (the clocks go "
                    f"forward), so that session starts at {format_clock(actual)}."
                )
            elif kind == "ambiguous":
                notes.append(
                    f"{day:%a %b} {day.day}: {format_clock(local)} happens twice (the clocks go "
                    "back); the session starts at the first one."
                )
        day += timedelta(days=1)
    return notes
