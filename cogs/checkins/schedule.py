"""When prompts and digests are due: local wall-clock rules turned into UTC instants.

Pure (no discord, no database). A rule keeps the local time and the IANA zone, and each
occurrence is computed in that zone on its own day, so a 9:00 prompt stays 9:00 local across
daylight-saving changes. A time that doesn't exist that day (spring forward) is sent at the
same distance after the change (2:30 becomes 3:30); a time that happens twice (fall back) is
sent once, the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(7))
_NAMED = {
    "every day": EVERY_DAY,
    "everyday": EVERY_DAY,
    "daily": EVERY_DAY,
    "all": EVERY_DAY,
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}


class ScheduleError(ValueError):
    """A time, zone or list of days that can't be used; the message is safe to show."""


@dataclass(frozen=True)
class Rule:
    """Asked at `local_time` in `timezone` on `days` (Monday = 0)."""

    local_time: time
    timezone: str
    days: frozenset[int] = EVERY_DAY

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def parse_time(raw: str) -> time:
    """`09:00`, `9:00`, `21:30`, `9am`, `9:30 pm` -> a wall-clock time."""
    text = raw.strip().lower().replace(".", "")
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", text)
    if match is None:
        raise ScheduleError(f"`{raw[:20]}` isn't a time I understand. Try 09:00 or 9:30 pm.")
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise ScheduleError(f"`{raw[:20]}` isn't a time I understand. Try 09:00 or 9:30 pm.")
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    elif match[2] is None:
        raise ScheduleError(f"`{raw[:20]}` needs minutes or am/pm, like 09:00 or 9 am.")
    if hour > 23 or minute > 59:
        raise ScheduleError(f"`{raw[:20]}` isn't a time of day. Use 00:00 to 23:59.")
    return time(hour, minute)


def format_time(value: time) -> str:
    return f"{value:%H:%M}"


def zone(name: str) -> ZoneInfo:
    """The IANA zone, or a clear error (`America/Chicago`, `Europe/London`, `UTC`)."""
    cleaned = name.strip()
    try:
        if not cleaned or cleaned.startswith("/") or ".." in cleaned:
            raise ZoneInfoNotFoundError(cleaned)
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"`{name[:40]}` isn't a timezone I know. Pick one from the list as you type, "
            "e.g. America/Chicago."
        ) from None


def parse_days(raw: str) -> frozenset[int]:
    """`every day`, `weekdays`, `weekends`, `mon,wed,fri`, `mon-fri`, `sat sun`."""
    text = raw.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    days: set[int] = set()
    for part in re.split(r"[,\s/]+", text):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _weekday(first, raw), _weekday(last, raw)
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            days.update(span)
        else:
            days.add(_weekday(part, raw))
    if not days:
        raise ScheduleError("Pick at least one day, e.g. `every day`, `weekdays` or `mon,wed,fri`.")
    return frozenset(days)


def _weekday(token: str, raw: str) -> int:
    key = token.strip()[:3]
    if key not in WEEKDAYS:
        raise ScheduleError(
            f"`{raw[:40]}` isn't a list of days I understand. Try `every day`, `weekdays` "
            "or `mon,wed,fri`."
        )
    return WEEKDAYS.index(key)


def format_days(days: frozenset[int]) -> str:
    for name in ("every day", "weekdays", "weekends"):
        if days == _NAMED[name]:
            return name
    return ", ".join(WEEKDAYS[d].capitalize() for d in sorted(days))


def encode_days(days: frozenset[int]) -> str:
    return "".join(str(d) for d in sorted(days))


def decode_days(text: str) -> frozenset[int]:
    return frozenset(int(c) for c in text)


def occurrence(rule: Rule, day: date) -> datetime:
    """The UTC instant of the rule's local time on `day` (fold=0: the first of two)."""
    local = datetime.combine(day, rule.local_time, tzinfo=rule.zone)
    # Round-trip through UTC normalises a time inside a spring-forward gap.
    return local.astimezone(UTC)


def next_occurrence(rule: Rule, after: datetime) -> datetime:
    """The first occurrence strictly after `after` (aware)."""
    if not rule.days:
        raise ScheduleError("Pick at least one day.")
    start = after.astimezone(rule.zone).date() - timedelta(days=1)
    for offset in range(9):
        day = start + timedelta(days=offset)
        if day.weekday() in rule.days:
            instant = occurrence(rule, day)
            if instant > after:
                return instant
    raise AssertionError("a weekly rule always has an occurrence within 8 days")


def local_day(instant: datetime, timezone: str) -> date:
    """The date on the person's wall clock at `instant`."""
    return instant.astimezone(ZoneInfo(timezone)).date()


def next_due(
    rule: Rule, *, last_handled: datetime | None, now: datetime, grace: timedelta
) -> datetime:
    """The next occurrence to prompt for: after the last one handled, but never one older
    than the grace window (a prompt missed while the bot was down is sent late only if it
    is still fresh)."""
    floor = now - grace
    after = max(last_handled, floor) if last_handled is not None else floor
    return next_occurrence(rule, after)


SNOOZES = {"1h": "Remind me in 1 hour", "tonight": "Remind me tonight"}
TONIGHT = time(20, 0)
"""'Tonight' is 8 pm in the person's timezone; from 7 pm on, it is an hour from now."""


def snooze_until(choice: str, now: datetime, zone: str) -> datetime:
    """When a snoozed check-in reminds the person ("1h" or "tonight")."""
    if choice == "tonight":
        local = now.astimezone(ZoneInfo(zone))
        evening = datetime.combine(local.date(), TONIGHT, tzinfo=ZoneInfo(zone))
        if evening - local >= timedelta(hours=1):
            return evening.astimezone(now.tzinfo)
    return now + timedelta(hours=1)
