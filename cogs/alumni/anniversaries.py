"""Pure rules for custom anniversaries ("Graduated IOP", "First day back at work"): checking
what people type, when each one comes round, and the words Lantern uses (no database, no
Discord calls)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import UserError

MAX_NAME = 80
MAX_PER_PERSON = 10
CATCH_UP_DAYS = 2
"""A congratulation missed while Lantern was down is still sent this many days later."""


@dataclass(frozen=True)
class Anniversary:
    id: int
    guild_id: int
    user_id: int
    name: str
    happened_on: date
    share: bool
    celebrated_year: int
    """The last year whose congratulation was queued (never sent twice)."""


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())  # one line: it is shown inside a sentence
    if not name:
        raise UserError("`name`: Give your anniversary a name, e.g. `Graduated IOP`.")
    if len(name) > MAX_NAME:
        raise UserError(
            f"`name`: Keep the name to {MAX_NAME} characters or fewer (yours has {len(name)})."
        )
    return name


def parse_day(raw: str, today: date) -> date:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise UserError(
            "`date`: That isn't a date I understand. Use YYYY-MM-DD, e.g. 2025-06-01."
        ) from None
    if day > today:
        raise UserError("`date`: The date can't be in the future; add it once it has happened.")
    if day.year < 1900:
        raise UserError("`date`: That date looks too far back. Use YYYY-MM-DD.")
    return day


def check_room(existing: list[Anniversary], name: str) -> None:
    """Refuse a duplicate name or an eleventh anniversary (inside the adding transaction)."""
    if any(a.name.casefold() == name.casefold() for a in existing):
        raise UserError(
            "You already have an anniversary with that name. `/milestone anniversary list` "
            "shows them."
        )
    if len(existing) >= MAX_PER_PERSON:
        raise UserError(
            f"You can keep up to {MAX_PER_PERSON} anniversaries. Remove one with "
            "`/milestone anniversary remove` to add another."
        )


def occurrence(happened_on: date, year: int) -> date:
    """The anniversary in `year`: the same day, Feb 29 falling on Feb 28 in other years."""
    day = min(happened_on.day, calendar.monthrange(year, happened_on.month)[1])
    return date(year, happened_on.month, day)


def next_occurrence(happened_on: date, today: date) -> date:
    """The next anniversary from today on (today included); never the day itself."""
    year = max(today.year, happened_on.year + 1)
    if occurrence(happened_on, year) < today:
        year += 1
    return occurrence(happened_on, year)


def already_past(happened_on: date, today: date) -> int:
    """The year to record as celebrated when someone adds an anniversary: this year's if it
    has gone by, so adding one doesn't send a late congratulation right away."""
    return today.year if occurrence(happened_on, today.year) < today else today.year - 1


def due_year(anniversary: Anniversary, today: date, catch_up: int = CATCH_UP_DAYS) -> int | None:
    """The year whose congratulation is due today (or was due in the last `catch_up` days)
    and not yet sent; None if nothing is due."""
    for year in (today.year, today.year - 1):  # a Dec 31 anniversary caught up on Jan 1
        day = occurrence(anniversary.happened_on, year)
        if (
            year > anniversary.happened_on.year
            and year > anniversary.celebrated_year
            and today - timedelta(days=catch_up) <= day <= today
        ):
            return year
    return None


def month_days(today: date, catch_up: int = CATCH_UP_DAYS) -> list[str]:
    """The "MM-DD" of every stored date that may be due today (what the database matches)."""
    found = set()
    for back in range(catch_up + 1):
        day = today - timedelta(days=back)
        found.add(f"{day:%m-%d}")
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            found.add("02-29")
    return sorted(found)


def years_label(years: int) -> str:
    return "1 year" if years == 1 else f"{years} years"


def when(day: date, today: date) -> str:
    return "today" if day == today else f"on {day:%b %d}"


def dm_text(anniversary: Anniversary, shown_name: str, year: int, today: date) -> str:
    """The private congratulation; `shown_name` is the name escaped for Discord."""
    years = year - anniversary.happened_on.year
    day = occurrence(anniversary.happened_on, year)
    lead = "Today it's" if day == today else f"On {day:%b %d} it was"
    text = (
        f"🌱 {lead} **{years_label(years)}** since "
        f"**{shown_name}**. That's worth celebrating: congratulations!"
    )
    if anniversary.share:
        return text + " As you asked, I'm sharing it with the alumni in #milestones too."
    return text + " Only you got this message."


def post_text(anniversary: Anniversary, shown_name: str, year: int, today: date) -> str:
    years = year - anniversary.happened_on.year
    day = occurrence(anniversary.happened_on, year)
    return (
        f"🎉 <@{anniversary.user_id}> marks **{years_label(years)}** since **{shown_name}** "
        f"{when(day, today)}. Congratulations!"
    )


def listing(anniversaries: list[Anniversary], shown: list[str], today: date) -> list[str]:
    """One line each, the next to come round first; `shown` are the escaped names."""
    lines = []
    pairs = sorted(
        zip(anniversaries, shown, strict=True),
        key=lambda pair: next_occurrence(pair[0].happened_on, today),
    )
    for anniversary, name in pairs:
        nxt = next_occurrence(anniversary.happened_on, today)
        years = nxt.year - anniversary.happened_on.year
        where = "shared in #milestones" if anniversary.share else "private"
        lines.append(
            f"• **{name}**, {anniversary.happened_on:%b %d, %Y}: {years_label(years)} "
            f"{when(nxt, today)}{'' if nxt == today else f', {nxt:%Y}'} ({where})"
        )
    return lines


def added_text(anniversary: Anniversary, shown_name: str, today: date) -> str:
    nxt = next_occurrence(anniversary.happened_on, today)
    years = nxt.year - anniversary.happened_on.year
    how = (
        "I'll send you a private message and celebrate it in #milestones"
        if anniversary.share
        else "I'll send you a private message (nothing is posted)"
    )
    return (
        f"Saved **{shown_name}**. {how} {when(nxt, today)}"
        f"{'' if nxt == today else f', {nxt:%Y}'}, for {years_label(years)}, and every year "
        "after. `/milestone anniversary remove` takes it away at any time."
    )
