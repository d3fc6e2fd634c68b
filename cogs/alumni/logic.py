"""Pure rules for recovery milestones (no Discord, no database)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


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


def progress(start: date, today: date) -> str:
    """Days since the start date, and the next milestone (for `/milestone set|show`)."""
    days = (today - start).days
    upcoming = [
        m for m in milestones_between(start, date(today.year + 2, 12, 31)) if m.reached_on > today
    ]
    text = f"{days} day{'s' if days != 1 else ''} since {start:%b %d, %Y}."
    if upcoming:
        nxt = upcoming[0]
        text += f" Next milestone: **{nxt.label}** on {nxt.reached_on:%b %d, %Y}."
    return text


def saved_text(before: date | None, start: date, today: date) -> str:
    """What `/milestone set` answers: kindly, and privately, when someone starts again."""
    if before is not None and start > before:
        kept = (start - before).days
        return (
            "Saved your new start date. Starting again is part of recovery: the "
            f"{kept} day{'s' if kept != 1 else ''} before it still count for what you learned. "
            "I'll celebrate your milestones from here; nobody else is told about the change. "
            + progress(start, today)
        )
    if before == start:
        return "That's already your start date. " + progress(start, today)
    return (
        "Saved. I'll celebrate your 30, 60 and 90 days, 6 months, 1 year and every year "
        "after in the alumni #milestones channel. "
        + progress(start, today)
        + "\nChanged your mind? `/milestone clear` removes it at any time."
    )
