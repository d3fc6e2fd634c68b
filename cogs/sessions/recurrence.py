"""Pure rules for session times: reading what facilitators type, the occurrences of a weekly
series in its own zone, and when reminders fall due. No discord, no database.

Sessions are wall-clock events: "Mon/Wed/Thu 18:00 in America/Chicago" stays 18:00 local on
both sides of a DST change, so the UTC instant moves. Two local times need a deliberate rule:

* a time that doesn't exist (the spring-forward gap, e.g. 02:30 on 2026-03-08 in Chicago)
  is moved forward by the gap (03:30), as RFC 5545 and most calendars do;
* a time that happens twice (fall back, 01:30 on 2026-11-01 in Chicago) is the first one
  (daylight time), again as RFC 5545 says.

Both follow from `fold=0` in zoneinfo; `local_kind` names them so the bot can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.inputs import MAX_YEAR, MIN_YEAR

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS = {
    "mon": 0, "monday": 0, "mo": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "tu": 1,
    "wed": 2, "weds": 2, "wednesday": 2, "we": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "th": 3,
    "fri": 4, "friday": 4, "fr": 4,
    "sat": 5, "saturday": 5, "sa": 5,
    "sun": 6, "sunday": 6, "su": 6,
}  # fmt: skip
_DAY_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "daily": (0, 1, 2, 3, 4, 5, 6),
    "everyday": (0, 1, 2, 3, 4, 5, 6),
}
ONCE = "once"
KINDS = ("group", "skills", "individual", "family", "other")

MIN_DURATION, MAX_DURATION = 5, 12 * 60  # minutes
MIN_LEAD, MAX_LEAD = 5, 7 * 24 * 60  # minutes: reminders from 5 minutes to a week ahead
MAX_LEADS = 3
DEFAULT_LEADS = (24 * 60, 60)
DEFAULT_DM_LEAD = 60


class RecurrenceError(ValueError):
    """Input that can't be a schedule; the message is written for the person who typed it."""


# --- reading input ------------------------------------------------------------------------


def parse_weekdays(raw: str) -> tuple[int, ...]:
    """'Mon,Wed,Thu', 'mon wed thu', 'Mon-Fri', 'weekdays', 'daily' -> Monday=0 numbers;
    'once' -> () (a one-off on the `starts` date)."""
    text = raw.strip().lower()
    if text in (ONCE, "one-off", "oneoff", "one off"):
        return ()
    text = text.replace("every day", "everyday")
    days: set[int] = set()
    for token in (t for t in re.split(r"[\s,;/&+]+|\band\b", text) if t):
        if token in _DAY_GROUPS:
            days.update(_DAY_GROUPS[token])
        elif "-" in token:
            first, _, last = token.partition("-")
            a, b = _day(first), _day(last)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            days.add(_day(token))
    if not days:
        raise RecurrenceError("Give at least one weekday, e.g. `Mon,Wed,Thu`, or `once`.")
    return tuple(sorted(days))


def _day(token: str) -> int:
    day = _DAY_WORDS.get(token.strip(". "))
    if day is None:
        raise RecurrenceError(
            f"`{token[:20]}` isn't a weekday I know. Use e.g. `Mon,Wed,Thu`, `weekdays`, "
            "`daily` or `once`."
        )
    return day


_TIME = re.compile(r"^([0-9]{1,2})(?:[:.h]([0-9]{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time(raw: str) -> time:
    """'18:00', '6pm', '6:30 pm', 'noon' -> a wall-clock time."""
    text = raw.strip().lower()
    if text in ("noon", "midday"):
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _TIME.match(text)
    if match is None or (match[2] is None and match[3] is None):
        raise RecurrenceError(
            f"`{raw[:20]}` isn't a time I understand. Use 24-hour `18:00`, or `6pm`."
        )
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise RecurrenceError(f"`{raw[:20]}`: with am/pm the hour goes from 1 to 12.")
        hour = hour % 12 + (12 if match[3].startswith("p") else 0)
    if hour > 23:
        raise RecurrenceError(f"`{raw[:20]}` isn't a time of day: hours go from 00 to 23.")
    if minute > 59:
        raise RecurrenceError(f"`{raw[:20]}` isn't a time of day: minutes go from 00 to 59.")
    return time(hour, minute)


_SPAN = re.compile(
    r"^(?:(?P<d>[0-9]+)\s*d(?:ays?)?)?\s*(?:(?P<h>[0-9]+(?:\.[0-9]+)?)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<m>[0-9]+)\s*m(?:in(?:ute)?s?)?)?$"
)


def _span_minutes(raw: str) -> int | None:
    text = raw.strip().lower().replace(" ", "")
    match = _SPAN.match(text)
    if not text or match is None or not any(match.groupdict().values()):
        return None
    days = int(match["d"] or 0)
    hours = float(match["h"] or 0)
    return days * 1440 + round(hours * 60) + int(match["m"] or 0)


def parse_duration(raw: str) -> int:
    """'3h', '90m', '2h30m', '1.5h' -> minutes."""
    minutes = _span_minutes(raw)
    if minutes is None:
        raise RecurrenceError(f"`{raw[:20]}` isn't a duration I understand. Use `3h`, `90m`…")
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise RecurrenceError("A session lasts between 5 minutes and 12 hours.")
    return minutes


def parse_leads(raw: str) -> tuple[int, ...]:
    """'24h,1h' / '1d 30m' -> distinct lead times in minutes, longest first; 'none' -> ()."""
    text = raw.strip().lower()
    if text in ("none", "off", "no"):
        return ()
    leads: set[int] = set()
    for part in (p for p in re.split(r"[,;/]+|\band\b", text) if p.strip()):
        minutes = _span_minutes(part)
        if minutes is None:
            raise RecurrenceError(
                f"`{part.strip()[:20]}` isn't a lead time I understand. Use e.g. `24h,1h`."
            )
        if not MIN_LEAD <= minutes <= MAX_LEAD:
            raise RecurrenceError("Reminders can be from 5 minutes to 7 days before a session.")
        leads.add(minutes)
    if len(leads) > MAX_LEADS:
        raise RecurrenceError(f"Choose at most {MAX_LEADS} reminder times.")
    return tuple(sorted(leads, reverse=True))


def parse_lead(raw: str) -> int:
    leads = parse_leads(raw)
    if len(leads) != 1:
        raise RecurrenceError("Give one lead time, e.g. `2h` or `30m`.")
    return leads[0]


def parse_date(raw: str, label: str) -> date:
    field = {"start": "starts", "end": "ends"}.get(label, "date")
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise RecurrenceError(
            f"`{field}`: The {label} date `{raw[:20]}` isn't a date I understand. Use YYYY-MM-DD."
        ) from None
    # Far dates overflow datetime arithmetic (9999-12-31 + a day) and are always typos.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise RecurrenceError(f"`{field}`: pick a {label} date between {MIN_YEAR} and {MAX_YEAR}.")
    return value


# --- the rule and its occurrences ---------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A weekly series (or a one-off when `weekdays` is empty) in its IANA zone."""

    weekdays: tuple[int, ...]
    start_time: time
    duration_minutes: int
    zone: str
    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise RecurrenceError("`ends`: The end date is before the start date.")

    @property
    def once(self) -> bool:
        return not self.weekdays


@dataclass(frozen=True)
class Occurrence:
    local_start: datetime
    """Naive wall-clock start as planned; with the series id, the occurrence's identity."""
    starts_at: datetime
    ends_at: datetime


def resolve_local(local: datetime, zone: str) -> datetime:
    """A naive wall-clock time in `zone` -> the UTC instant (gap: moved forward by the gap;
    repeated hour: the first one). See the module docstring."""
    return local.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)


def local_kind(local: datetime, zone: str) -> str:
    """'normal', 'gap' (doesn't exist that day) or 'ambiguous' (happens twice)."""
    tz = ZoneInfo(zone)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "normal"
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "gap" if back != local else "ambiguous"


def to_local(moment: datetime, zone: str) -> datetime:
    """A UTC instant -> naive wall-clock time in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def occurrences(rule: Rule, start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences starting in [start, end) (aware datetimes), in time order."""
    tz = ZoneInfo(rule.zone)
    # One day of slack each side: a local date can straddle two UTC dates.
    first_day = max(rule.starts_on, start.astimezone(tz).date() - timedelta(days=1))
    last_day = min(rule.ends_on, end.astimezone(tz).date() + timedelta(days=1))
    found: list[Occurrence] = []
    day = first_day
    while day <= last_day:
        wanted = day == rule.starts_on if rule.once else day.weekday() in rule.weekdays
        if wanted:
            local = datetime.combine(day, rule.start_time)
            begins = resolve_local(local, rule.zone)
            if start <= begins < end:
                ends = begins + timedelta(minutes=rule.duration_minutes)
                found.append(Occurrence(local, begins, ends))
        day += timedelta(days=1)
    return found


def reminder_due(starts_at: datetime, zone: str, lead_minutes: int) -> datetime:
    """When a reminder `lead_minutes` before a session falls due.

    Whole days are calendar days: "24h before" a Monday 18:00 session is Sunday 18:00 local
    even when a DST change in between makes that 23 or 25 real hours. Anything else is an
    exact duration ("1h before" is always 60 real minutes)."""
    if lead_minutes % 1440 == 0:
        local = to_local(starts_at, zone) - timedelta(days=lead_minutes // 1440)
        return resolve_local(local, zone)
    return starts_at - timedelta(minutes=lead_minutes)


# --- describing ---------------------------------------------------------------------------


def describe_weekdays(weekdays: tuple[int, ...]) -> str:
    for name, days in (("daily", _DAY_GROUPS["daily"]), ("weekdays", _DAY_GROUPS["weekdays"])):
        if weekdays == days:
            return name
    return "/".join(DAY_NAMES[d] for d in weekdays) if weekdays else ONCE


def format_clock(moment: time | datetime) -> str:
    """18:30 -> '6:30 PM' (US programs read 12-hour times)."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def format_when(moment: datetime, zone: str) -> str:
    """A UTC instant as 'Mon Mar 9, 6:00 PM CDT' in `zone`."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a %b} {local.day}, {format_clock(local)} {local.tzname()}"


def format_lead(minutes: int) -> str:
    if minutes % 1440 == 0 and minutes != 1440:
        return _plural(minutes // 1440, "day")
    if minutes % 60 == 0:
        return _plural(minutes // 60, "hour")
    if minutes > 60:
        return f"{_plural(minutes // 60, 'hour')} {_plural(minutes % 60, 'minute')}"
    return _plural(minutes, "minute")


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}"
    return f"{hours}h" if hours else f"{rest} min"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
