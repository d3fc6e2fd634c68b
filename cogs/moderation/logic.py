"""Pure helpers for moderation: durations and excerpts."""

from __future__ import annotations

import re
from datetime import timedelta

MAX_TIMEOUT = timedelta(days=28)  # Discord's limit
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"([0-9]+)\s*([smhdw])")  # ASCII digits: \d also matches "٣"


def parse_duration(raw: str) -> timedelta:
    """'90m', '1h30m', '2d', '1w' -> timedelta; ValueError with a readable message."""
    text = raw.strip().lower().replace(" ", "")
    if not text or _PART.sub("", text):
        raise ValueError(
            f"`{raw[:20]}` isn't a duration I understand. Use e.g. `10m`, `1h`, `1h30m`, `2d`."
        )
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text))
    if seconds <= 0:
        raise ValueError("The duration must be longer than zero.")
    # Compared as an int: timedelta() itself overflows on "99999999999999999999d".
    if seconds > MAX_TIMEOUT.total_seconds():
        raise ValueError("Discord allows timeouts of at most 28 days.")
    return timedelta(seconds=seconds)


def excerpt(text: str, limit: int = 300) -> str:
    """A one-paragraph excerpt safe to quote in an embed (no code-block breakouts)."""
    flat = " ".join(text.split()).replace("`", "ˋ")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
