"""Cleaning and checking what people type into slash-command options and modal fields.

Discord's client limits some options (lengths, integer ranges), but a bot must not rely on
that: any client can send anything. Every function here is pure and raises a `UserError`
whose message starts with the option's name ("`duration`: …"), so the person knows which
field to fix and the one error handler shows it privately.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import UserError

T = TypeVar("T")

MAX_SNOWFLAKE = 2**63 - 1  # SQLite's INTEGER and Discord's ids are signed 64-bit
MIN_YEAR, MAX_YEAR = 1900, 2200  # far from date.min/max, so date arithmetic can't overflow
MAX_SPAN = timedelta(days=3650)  # no duration anyone types is longer; keeps timedelta sane
MAX_ZONE_NAME = 64  # the longest IANA name is 32 characters
OFF_WORDS = ("off", "none", "no")

# Characters that show nothing on their own. Zero-width and other format characters (Cf)
# cover U+200B-U+200F, U+2060, U+FEFF and the bidi controls; the rest are "blank" letters
# and symbols that render as empty space.
_BLANK = frozenset("\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Cn", "Co", "Cs"})
# Stripped from both ends; inside text some of them matter (ZWJ joins emoji).
_EDGE = "".join(chr(c) for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))


def problem(field: str, message: str) -> UserError:
    """A refusal that names the option the person has to fix."""
    return UserError(f"`{field}`: {message}")


@contextmanager
def about(field: str) -> Iterator[None]:
    """Turn a parser's ValueError (RecurrenceError, ScheduleError…) into a UserError naming
    `field`. UserErrors pass through unchanged (they already say what is wrong)."""
    try:
        yield
    except UserError:
        raise
    except (ValueError, OverflowError) as exc:
        raise problem(field, str(exc) or "that value can't be used.") from None


def parsed(field: str, parse: Callable[[str], T], raw: str) -> T:
    """`parse(raw)`, with its ValueError shown as a refusal of `field`."""
    with about(field):
        return parse(raw)


def quoted(raw: str, limit: int = 40) -> str:
    """What the person typed, safe to echo inside `code` (no backticks, no breakouts)."""
    flat = " ".join(raw.split()).replace("`", "ˋ")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --- text -----------------------------------------------------------------------------------


def is_invisible(char: str) -> bool:
    return (
        char.isspace()
        or char in _BLANK
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or unicodedata.category(char) == "Mn"  # a combining mark with nothing to sit on
    )


def has_visible(text: str) -> bool:
    return any(not is_invisible(c) for c in text)


def text(
    raw: str | None,
    field: str,
    *,
    max_length: int,
    min_length: int = 1,
    required: bool = True,
    single_line: bool = True,
) -> str | None:
    """Text a person typed, trimmed; refused when empty, invisible-only or too long.

    `single_line` also folds runs of whitespace (titles, names, reasons); paragraphs keep
    their line breaks. Not `required` and empty -> None.
    """
    if raw is None:
        if required:
            raise problem(field, "this can't be empty.")
        return None
    cleaned = " ".join(raw.split()) if single_line else raw
    cleaned = cleaned.strip().strip(_EDGE).strip()
    if not cleaned or not has_visible(cleaned):
        if required or cleaned:
            raise problem(field, "write something visible (it can't be empty or only spaces).")
        return None
    if len(cleaned) > max_length:
        raise problem(field, f"keep it to {max_length} characters (this is {len(cleaned)}).")
    if len(cleaned) < min_length:
        raise problem(field, f"write at least {min_length} characters.")
    return cleaned


# --- ids ------------------------------------------------------------------------------------


def snowflake(raw: str, field: str, *, what: str = "one") -> int:
    """An id typed or picked from an autocomplete list ("17", "#17"): ASCII digits only and
    within SQLite's signed 64 bits (`int()` alone accepts "²", "٣" and 30-digit numbers)."""
    cleaned = raw.strip().removeprefix("#")
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 19:
        raise problem(field, f"pick {what} from the list as you type.")
    value = int(cleaned)
    if not 1 <= value <= MAX_SNOWFLAKE:
        raise problem(field, f"pick {what} from the list as you type.")
    return value


# --- time zones -----------------------------------------------------------------------------

# Names the tz database ships that aren't places: "localtime" (the host's zone), "Factory"
# (a placeholder), "posixrules" (a template), and the posix/ and right/ duplicates.
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules", "Etc/Unknown", "leapseconds"})


@cache
def timezone_names() -> tuple[str, ...]:
    """Every real IANA zone, sorted."""
    names = (
        z
        for z in available_timezones()
        if z not in _NOT_PLACES and not z.startswith(("posix/", "right/"))
    )
    return tuple(sorted(names))


@cache
def _zones_by_lower() -> dict[str, str]:
    return {z.lower(): z for z in timezone_names()}


def canonical_timezone(raw: str) -> str | None:
    """The IANA name for what was typed ("america/chicago", "America/New York"), or None."""
    cleaned = raw.strip().replace(" ", "_")
    if not cleaned or len(cleaned) > MAX_ZONE_NAME:
        return None
    name = _zones_by_lower().get(cleaned.lower())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, OSError):  # listed but unreadable on this system
        return None
    return name


def timezone(raw: str, field: str = "timezone") -> str:
    name = canonical_timezone(raw)
    if name is None:
        raise problem(
            field,
            f"`{quoted(raw)}` isn't a timezone I know. Pick one from the list as you type, "
            "e.g. `America/Chicago` or `Europe/London`.",
        )
    return name


# --- durations ------------------------------------------------------------------------------

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip
# ASCII digits only, at most 7 of them (and 3 decimals): nothing can overflow.
_PART = re.compile(r"([0-9]{1,7}(?:\.[0-9]{1,3})?)([a-z]+)")


def span(raw: str) -> timedelta | None:
    """'90m', '1h30m', '1.5h', '2 days', '1w' -> a timedelta; None if it isn't one."""
    compact = "".join(raw.lower().split())
    if not compact or len(compact) > 40:
        return None
    seconds = 0.0
    position = 0
    for match in _PART.finditer(compact):
        unit = _UNITS.get(match[2])
        if match.start() != position or unit is None:
            return None
        seconds += float(match[1]) * unit
        position = match.end()
    if position != len(compact):
        return None
    return timedelta(seconds=round(seconds)) if seconds <= MAX_SPAN.total_seconds() else MAX_SPAN


def duration(
    raw: str,
    field: str,
    *,
    minimum: timedelta = timedelta(seconds=1),
    maximum: timedelta,
    example: str = "`10m`, `1h`, `1h30m`, `2d`",
) -> timedelta:
    """A bounded length of time (a timeout, a session)."""
    value = span(raw)
    if value is None:
        raise problem(field, f"`{quoted(raw, 20)}` isn't a duration I understand. Use {example}.")
    if not minimum <= value <= maximum:
        raise problem(field, f"choose from {describe(minimum)} to {describe(maximum)}.")
    return value


def describe(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    parts = []
    for label, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{label}")
            seconds %= size
    return " ".join(parts) or "0s"


def spans(raw: str, field: str, *, most: int, example: str = "`24h,1h`") -> tuple[timedelta, ...]:
    """A list of lengths ('24h,1h', '1d and 30m'); 'off'/'none' -> () explicitly. A list
    with no item in it (',,', ' ; ') is a mistake, not 'off'."""
    cleaned = raw.strip().lower()
    if cleaned in OFF_WORDS:
        return ()
    parts = [p.strip() for p in re.split(r"[,;/]+|\band\b", cleaned)]
    items = [p for p in parts if p]
    if not items:
        raise problem(field, f"give times like {example}, or `off` for none.")
    found: list[timedelta] = []
    for item in items:
        value = span(item)
        if value is None:
            raise problem(field, f"`{quoted(item, 20)}` isn't a time I understand. Use {example}.")
        if value not in found:
            found.append(value)
    if len(found) > most:
        raise problem(field, f"choose at most {most}.")
    return tuple(found)


# --- dates ----------------------------------------------------------------------------------

MIN_DATE, MAX_DATE = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)


def day(raw: str, field: str, *, earliest: date = MIN_DATE, latest: date = MAX_DATE) -> date:
    """A YYYY-MM-DD date within [earliest, latest] (never near date.max, so adding a few days
    or combining with a time and zone can't overflow)."""
    cleaned = raw.strip()
    try:
        if not (cleaned.isascii() and len(cleaned) <= 10):
            raise ValueError
        value = date.fromisoformat(cleaned)
    except ValueError:
        raise problem(
            field, f"`{quoted(raw, 20)}` isn't a date I understand. Use YYYY-MM-DD."
        ) from None
    if not earliest <= value <= latest:
        raise problem(field, f"choose a date from {earliest} to {latest}.")
    return value
