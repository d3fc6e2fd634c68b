from dataclasses import replace
from datetime import date

import pytest

from bot.errors import UserError
from cogs.alumni.anniversaries import (
    MAX_NAME,
    MAX_PER_PERSON,
    Anniversary,
    already_past,
    check_room,
    clean_name,
    dm_text,
    due_year,
    listing,
    month_days,
    next_occurrence,
    occurrence,
    parse_day,
    post_text,
)


def anniversary(day: date, celebrated: int, *, share: bool = False) -> Anniversary:
    return Anniversary(1, 10, 20, "Graduated IOP", day, share, celebrated)


def test_feb_29_falls_on_feb_28_in_other_years() -> None:
    leap = date(2024, 2, 29)
    assert occurrence(leap, 2025) == date(2025, 2, 28)
    assert occurrence(leap, 2028) == date(2028, 2, 29)
    assert next_occurrence(leap, date(2025, 3, 1)) == date(2026, 2, 28)
    assert next_occurrence(leap, date(2027, 3, 1)) == date(2028, 2, 29)
    assert month_days(date(2027, 2, 28), 0) == ["02-28", "02-29"]
    assert month_days(date(2028, 2, 28), 0) == ["02-28"]
    assert month_days(date(2028, 2, 29), 0) == ["02-29"]


def test_next_date_is_today_or_later_and_never_the_day_itself() -> None:
    day = date(2025, 6, 1)
    assert next_occurrence(day, date(2025, 6, 1)) == date(2026, 6, 1)  # added on the day
    assert next_occurrence(day, date(2026, 6, 1)) == date(2026, 6, 1)  # today counts
    assert next_occurrence(day, date(2026, 6, 2)) == date(2027, 6, 1)


def test_due_today_once_a_year_counting_the_years() -> None:
    day = date(2020, 3, 2)
    today = date(2026, 3, 2)
    assert due_year(anniversary(day, 2025), today) == 2026
    assert due_year(anniversary(day, 2026), today) is None  # already sent this year
    assert due_year(anniversary(day, 2025), date(2026, 3, 1)) is None  # not yet
    assert due_year(anniversary(day, 2025), date(2026, 3, 4)) == 2026  # caught up (2 days)
    assert due_year(anniversary(day, 2025), date(2026, 3, 5)) is None  # too late: next year
    assert due_year(anniversary(date(2025, 12, 31), 2025), date(2027, 1, 1)) == 2026
    assert due_year(anniversary(date(2026, 3, 2), 2025), today) is None  # the day itself
    text = dm_text(anniversary(day, 2025), "Graduated IOP", 2026, today)
    assert text.startswith("🌱 Today it's **6 years** since **Graduated IOP**")
    assert "Only you" in text
    one = dm_text(anniversary(date(2025, 3, 2), 2025, share=True), "X", 2026, date(2026, 3, 3))
    assert "On Mar 02 it was **1 year**" in one and "#milestones" in one
    assert post_text(anniversary(day, 2025), "Graduated IOP", 2026, today) == (
        "🎉 <@20> marks **6 years** since **Graduated IOP** today. Congratulations!"
    )


def test_adding_never_sends_a_late_congratulation() -> None:
    today = date(2026, 3, 2)
    # Passed this year: the next one is next year's.
    passed = anniversary(date(2020, 3, 1), already_past(date(2020, 3, 1), today))
    assert due_year(passed, today) is None
    # Today: celebrated today.
    now = anniversary(date(2020, 3, 2), already_past(date(2020, 3, 2), today))
    assert due_year(now, today) == 2026
    # Dec 31 added on Jan 1: not caught up from last year.
    new_year = date(2027, 1, 1)
    late = anniversary(date(2020, 12, 31), already_past(date(2020, 12, 31), new_year))
    assert due_year(late, new_year) is None


def test_names_and_dates_are_checked() -> None:
    assert clean_name("  Graduated\n  IOP ") == "Graduated IOP"
    with pytest.raises(UserError, match="80 characters"):
        clean_name("x" * (MAX_NAME + 1))
    with pytest.raises(UserError, match="Give your anniversary a name"):
        clean_name("   ")
    today = date(2026, 3, 2)
    assert parse_day("2026-03-02", today) == today
    with pytest.raises(UserError, match="future"):
        parse_day("2026-03-03", today)
    with pytest.raises(UserError, match="isn't a date"):
        parse_day("2025-02-29", today)


def test_room_for_ten_without_duplicates() -> None:
    nine = [replace(anniversary(date(2020, 1, 1), 2025), name=f"n{i}") for i in range(9)]
    check_room(nine, "new")
    with pytest.raises(UserError, match="already have"):
        check_room(nine, "N3")
    with pytest.raises(UserError, match=f"up to {MAX_PER_PERSON}"):
        check_room([*nine, anniversary(date(2020, 1, 1), 2025)], "new")


def test_listing_puts_the_next_first() -> None:
    today = date(2026, 3, 2)
    later = anniversary(date(2020, 12, 1), 2025)
    sooner = replace(anniversary(date(2024, 3, 2), 2025, share=True), name="Back at work")
    lines = listing([later, sooner], ["Graduated IOP", "Back at work"], today)
    assert lines[0].startswith("• **Back at work**, Mar 02, 2024: 2 years today (shared")
    assert lines[1].endswith("6 years on Dec 01, 2026 (private)")
