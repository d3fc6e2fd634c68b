from datetime import UTC, datetime

import pytest

from cogs.support.hours import (
    HoursError,
    Window,
    describe,
    due_in_hours,
    is_staffed,
    next_staffed,
    parse,
)

CHICAGO = "America/Chicago"


def test_parse_reads_ranges_lists_am_pm_and_aliases() -> None:
    windows = parse("Mon-Fri 09:00-17:00; Sat, Sun 10am-2pm")
    assert Window(0, 540, 1020) in windows and Window(4, 540, 1020) in windows
    assert Window(5, 600, 840) in windows and Window(6, 600, 840) in windows
    assert len(parse("weekdays 8:30-12:00")) == 5
    assert len(parse("daily 9:00-10:00")) == 7
    assert parse("Fri-Mon 9:00-10:00") == sorted(Window(d, 540, 600) for d in (4, 5, 6, 0))


def test_a_window_past_midnight_is_split_into_two_days() -> None:
    assert parse("Sun 22:00-02:00") == [Window(0, 0, 120), Window(6, 1320, 1440)]
    assert parse("Sat 20:00-24:00") == [Window(5, 1200, 1440)]
    assert "Sun 22:00-24:00" in describe(parse("Sun 22:00-02:00"))


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", "Write the hours"),
        ("Funday 9-17", "isn't a day"),
        ("Mon 25:00-26:00", "isn't a time"),
        ("Mon 09:00-09:00", "same time"),
        ("Mon nine to five", "couldn't read"),
        ("Mon 13pm-2pm", "isn't a time"),
    ],
)
def test_bad_schedules_say_what_to_change(typed: str, fragment: str) -> None:
    with pytest.raises(HoursError, match=fragment):
        parse(typed)


def test_staffed_follows_the_wall_clock_across_daylight_saving() -> None:
    weekdays = parse("Mon-Fri 09:00-17:00")
    # 9:00 in Chicago is 15:00 UTC in winter (CST) and 14:00 UTC in summer (CDT).
    assert is_staffed(weekdays, CHICAGO, datetime(2026, 3, 6, 15, 0, tzinfo=UTC))
    assert not is_staffed(weekdays, CHICAGO, datetime(2026, 3, 6, 14, 59, tzinfo=UTC))
    assert is_staffed(weekdays, CHICAGO, datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    # Friday evening: the next shift is Monday 9:00, after the spring-forward weekend.
    friday_night = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    assert next_staffed(weekdays, CHICAGO, friday_night) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    # And back in November (fall back on 1 Nov 2026).
    assert next_staffed(weekdays, CHICAGO, datetime(2026, 10, 31, 12, tzinfo=UTC)) == datetime(
        2026, 11, 2, 15, 0, tzinfo=UTC
    )


def test_a_window_starting_in_the_spring_forward_gap_starts_after_it() -> None:
    night = parse("Sun 02:30-05:00")  # 2:30 does not exist on 8 March 2026 in Chicago
    start = next_staffed(night, CHICAGO, datetime(2026, 3, 8, 6, 0, tzinfo=UTC))
    assert start is not None and start <= datetime(2026, 3, 8, 8, 30, tzinfo=UTC)


def test_no_hours_means_staffed_and_no_promise() -> None:
    now = datetime(2026, 3, 7, 8, tzinfo=UTC)
    assert is_staffed([], CHICAGO, now)
    assert next_staffed([], CHICAGO, now) is None
    assert due_in_hours([], CHICAGO, now) == now


def test_a_reminder_due_at_night_waits_for_the_next_shift() -> None:
    weekdays = parse("Mon-Fri 09:00-17:00")
    night = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # Monday 22:00 in Chicago
    assert due_in_hours(weekdays, CHICAGO, night) == datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
