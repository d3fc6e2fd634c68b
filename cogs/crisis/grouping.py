"""Whether a new flag joins the person's open alert or raises a new one, and what follows:
a pure decision (no Discord, no database), made inside the escalation's transaction.

A person's messages within `GROUP_WINDOW` of their last alert's last message join that
alert (one thread, one page for facilitators, not a storm of alerts). Its level only goes
up; an alert that becomes a crisis starts repeating until a human acknowledges it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

GROUP_WINDOW = timedelta(minutes=15)
LEVELS = ("none", "concern", "crisis")


def stronger(a: str, b: str | None) -> str:
    return a if b is None or LEVELS.index(a) >= LEVELS.index(b) else b


@dataclass(frozen=True)
class OpenAlert:
    """The person's alert still within the window (what the decision needs of it)."""

    id: int
    level: str
    waiting: bool
    """Nobody has acknowledged it yet."""
    armed: bool
    """Its repeats are already scheduled."""


@dataclass(frozen=True)
class Grouping:
    joins: int | None
    """The alert this flag joins; None: raise a new alert."""
    level: str
    """The alert's level afterwards."""
    upgraded: bool
    """Joining made a concern a crisis (its follow-up line says so)."""
    arm: bool
    """Start repeating the alert now."""


def decide(level: str, current: OpenAlert | None) -> Grouping:
    if current is None:
        return Grouping(joins=None, level=level, upgraded=False, arm=level == "crisis")
    after = "crisis" if "crisis" in (level, current.level) else current.level
    return Grouping(
        joins=current.id,
        level=after,
        upgraded=level == "crisis" and current.level != "crisis",
        arm=after == "crisis" and current.waiting and not current.armed,
    )
