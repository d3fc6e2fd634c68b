"""Staffed hours: weekly windows on a server's wall clock, parsed from what a facilitator
types ("Mon-Fri 09:00-17:00; Sat 10:00-14:00") and checked against "now".

Pure logic: no discord, no database. Every computation happens in the rule's own IANA zone
with `zoneinfo`, so 9:00 stays 9:00 across daylight-saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALIASES = {
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
MAX_WINDOWS = 28

_TIME = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"
_ENTRY = re.compile(
    rf"^(?P<days>[a-z ,/\-]+?)\s+(?P<start>{_TIME})\s*(?:-|–|to)\s*(?P<end>{_TIME})$"
)


class HoursError(ValueError):
    """What a facilitator typed is not a schedule; the message says what to change."""


@dataclass(frozen=True, order=True)
class Window:
    weekday: int  # Monday = 0
    start: int  # minutes after local midnight
    end: int  # exclusive, up to 1440

    def label(self) -> str:
        return f"{DAY_NAMES[self.weekday]} {clock(self.start)}-{clock(self.end)}"


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _minutes(hour: str, minute: str | None, half: str | None, *, end: bool) -> int:
    h, m = int(hour), int(minute or 0)
    if half:
        if not 1 <= h <= 12:
            raise HoursError(f"{hour}{half} isn't a time I understand.")
        h = h % 12 + (12 if half == "pm" else 0)
    if m > 59 or h > 24 or (h == 24 and m) or (h == 24 and not end):
        raise HoursError(f"{hour}:{minute or '00'} isn't a time of day.")
    return h * 60 + m


def _days(text: str) -> list[int]:
    found: list[int] = []
    for part in re.split(r"[,/]|\s+and\s+", text.replace(" ", "")):
        if not part:
            continue
        if part in ALIASES:
            found.extend(ALIASES[part])
            continue
        ends = part.split("-")
        if len(ends) > 2:
            raise HoursError(f"'{part}' isn't a day or a range of days like Mon-Fri.")
        first, last = _day(ends[0]), _day(ends[-1])
        span = (last - first) % 7
        found.extend((first + i) % 7 for i in range(span + 1))
    if not found:
        raise HoursError("Say which days, e.g. Mon-Fri.")
    return found


def _day(word: str) -> int:
    if len(word) < 3 or word[:3] not in DAYS:
        raise HoursError(f"'{word}' isn't a day I know (use Mon, Tue, Wed, Thu, Fri, Sat, Sun).")
    return DAYS.index(word[:3])


def parse(text: str) -> list[Window]:
    """'Mon-Fri 09:00-17:00; Sat 10am-2pm' -> windows. A window past midnight (22:00-02:00)
    becomes two, so each window lies within one local day."""
    windows: set[Window] = set()
    entries = [e.strip() for e in re.split(r"[;\n]", text.lower()) if e.strip()]
    if not entries:
        raise HoursError("Write the hours like `Mon-Fri 09:00-17:00; Sat 10:00-14:00`.")
    for entry in entries:
        match = _ENTRY.match(entry)
        if match is None:
            raise HoursError(
                f"I couldn't read `{entry[:60]}`. Write days then times, like "
                "`Mon-Fri 09:00-17:00`."
            )
        start_bits = re.match(_TIME, match["start"])
        end_bits = re.match(_TIME, match["end"])
        assert start_bits is not None and end_bits is not None  # noqa: S101 (matched above)
        start = _minutes(*start_bits.groups(), end=False)
        end = _minutes(*end_bits.groups(), end=True)
        if start == end:
            raise HoursError(f"`{entry[:60]}` starts and ends at the same time.")
        for day in _days(match["days"]):
            if end > start:
                windows.add(Window(day, start, end))
            else:  # crosses midnight
                windows.add(Window(day, start, 1440))
                if end:
                    windows.add(Window((day + 1) % 7, 0, end))
    if len(windows) > MAX_WINDOWS:
        raise HoursError(f"That's more than {MAX_WINDOWS} windows a week; please simplify.")
    return sorted(windows)


def describe(windows: list[Window]) -> str:
    """One line per day, e.g. 'Mon 09:00-17:00'."""
    return "\n".join(w.label() for w in sorted(windows)) or "not set"


def is_staffed(windows: list[Window], zone: str, now: datetime) -> bool:
    """Whether `now` falls in a window. No windows means no published hours: treated as
    staffed, because Lantern can't promise anything either way."""
    if not windows:
        return True
    local = now.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    return any(w.weekday == local.weekday() and w.start <= minute < w.end for w in windows)


def _at(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock minute on `day`; a time skipped by a spring-forward
    gap lands just after the gap (fold=0 then a UTC round trip normalises it)."""
    if minute >= 1440:
        day, minute = day + timedelta(days=1), minute - 1440
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    return local.astimezone(UTC)


def next_staffed(windows: list[Window], zone: str, now: datetime) -> datetime | None:
    """`now` if staffed, else the start of the next window (None if there are no hours)."""
    if not windows:
        return None
    if is_staffed(windows, zone, now):
        return now
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    candidates = []
    for offset in range(8):
        day = today + timedelta(days=offset)
        for w in windows:
            if w.weekday == day.weekday():
                start = _at(day, w.start, tz)
                if start > now:
                    candidates.append(start)
    return min(candidates) if candidates else None


@dataclass(frozen=True)
class Shift:
    """Whether a facilitator is on shift at a moment, as people should be told it."""

    published: bool
    """Whether the server has staffed hours at all (without them Lantern promises no time)."""
    on_now: bool
    next_at: datetime | None
    """The start of the next shift when nobody is on now (None if on, or no hours)."""
    zone: str

    def next_local(self) -> str:
        """The next shift's start on the server's wall clock, e.g. 'Mon 09:00'."""
        if self.next_at is None:
            return ""
        local = self.next_at.astimezone(ZoneInfo(self.zone))
        return f"{DAY_NAMES[local.weekday()]} {local:%H:%M}"


def shift_at(windows: list[Window], zone: str, now: datetime) -> Shift:
    """What `/talk` and the crisis texts tell people about who is there (same rules)."""
    staffed = is_staffed(windows, zone, now)
    return Shift(
        published=bool(windows),
        on_now=bool(windows) and staffed,
        next_at=None if staffed else next_staffed(windows, zone, now),
        zone=zone,
    )


def due_in_hours(windows: list[Window], zone: str, when: datetime) -> datetime:
    """The first staffed moment at or after `when`: a re-announcement due at 3 am waits for
    the morning instead of pinging nobody (or everybody's phones)."""
    found = next_staffed(windows, zone, when)
    return found if found is not None else when
