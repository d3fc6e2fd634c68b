"""Session times: parsing, wall-clock occurrences across both 2026 DST changes in several
zones, the deliberate rules for times that don't exist or happen twice, and reminder times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cogs.sessions.recurrence import (
    RecurrenceError,
    Rule,
    describe_weekdays,
    format_lead,
    format_when,
    local_kind,
    occurrences,
    parse_date,
    parse_duration,
    parse_lead,
    parse_leads,
    parse_time,
    parse_weekdays,
    reminder_due,
    resolve_local,
    to_local,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    """A naive wall-clock time: what sessions are planned in (the zone is kept beside it)."""
    return datetime(*args)  # noqa: DTZ001


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "days"),
    [
        ("Mon,Wed,Thu", (0, 2, 3)),
        ("mon wed thu", (0, 2, 3)),
        ("Monday, Wednesday and Thursday", (0, 2, 3)),
        ("weekdays", (0, 1, 2, 3, 4)),
        ("Mon-Fri", (0, 1, 2, 3, 4)),
        ("fri-mon", (0, 4, 5, 6)),
        ("daily", (0, 1, 2, 3, 4, 5, 6)),
        ("every day", (0, 1, 2, 3, 4, 5, 6)),
        ("THU", (3,)),
        ("once", ()),
    ],
)
def test_weekdays_are_read_in_the_ways_people_write_them(raw: str, days: tuple[int, ...]) -> None:
    assert parse_weekdays(raw) == days


@pytest.mark.parametrize("raw", ["Mnd", "Mon,Funday", "", " , "])
def test_unknown_weekdays_are_refused_clearly(raw: str) -> None:
    with pytest.raises(RecurrenceError, match="weekday"):
        parse_weekdays(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18:00", time(18, 0)),
        ("6pm", time(18, 0)),
        ("6:30 pm", time(18, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("9.15", time(9, 15)),
        ("07:05", time(7, 5)),
        ("noon", time(12, 0)),
    ],
)
def test_times(raw: str, expected: time) -> None:
    assert parse_time(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("25:00", "hours go from 00 to 23"),
        ("18:75", "minutes go from 00 to 59"),
        ("13pm", "1 to 12"),
        ("18", "isn't a time I understand"),
        ("evening", "isn't a time I understand"),
    ],
)
def test_bad_times_say_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        parse_time(raw)


@pytest.mark.parametrize(
    ("raw", "minutes"), [("3h", 180), ("90m", 90), ("2h30m", 150), ("1.5h", 90), ("45 min", 45)]
)
def test_durations(raw: str, minutes: int) -> None:
    assert parse_duration(raw) == minutes


@pytest.mark.parametrize("raw", ["3", "forever", "13h", "2m", ""])
def test_bad_durations(raw: str) -> None:
    with pytest.raises(RecurrenceError):
        parse_duration(raw)


def test_lead_times() -> None:
    assert parse_leads("1h, 24h") == (1440, 60)
    assert parse_leads("1d 30m") == (1470,)
    assert parse_leads("none") == ()
    assert parse_lead("2h") == 120
    for bad in ("8d", "1m", "1h,2h,3h,4h", "soon"):
        with pytest.raises(RecurrenceError):
            parse_leads(bad)
    with pytest.raises(RecurrenceError):
        parse_lead("1h,2h")


def test_dates() -> None:
    assert parse_date(" 2026-03-09 ", "start") == date(2026, 3, 9)
    with pytest.raises(RecurrenceError, match="start date"):
        parse_date("March 9", "start")


def test_end_before_start_is_refused() -> None:
    with pytest.raises(RecurrenceError, match="before the start"):
        Rule((0,), time(18), 180, "UTC", date(2026, 3, 9), date(2026, 3, 1))


# --- occurrences across DST -----------------------------------------------------------------


def weekly(zone: str, at: time = time(18, 0), days: tuple[int, ...] = (0, 2, 3)) -> Rule:
    return Rule(days, at, 180, zone, date(2026, 1, 1), date(2026, 12, 31))


def test_an_evening_series_stays_at_six_local_across_the_us_spring_change() -> None:
    found = occurrences(weekly("America/Chicago"), utc(2026, 3, 2), utc(2026, 3, 13))
    assert [o.local_start for o in found] == [local(2026, 3, d, 18) for d in (2, 4, 5, 9, 11, 12)]
    # 18:00 CST is 00:00 UTC next day; after the change 18:00 CDT is 23:00 UTC.
    assert found[0].starts_at == utc(2026, 3, 3, 0)
    assert found[3].starts_at == utc(2026, 3, 9, 23)
    assert all(o.ends_at - o.starts_at == timedelta(hours=3) for o in found)
    assert all(to_local(o.starts_at, "America/Chicago").hour == 18 for o in found)


def test_us_fall_back() -> None:
    found = occurrences(
        weekly("America/Chicago", days=(5, 0)), utc(2026, 10, 31), utc(2026, 11, 3, 1)
    )
    assert [o.starts_at for o in found] == [utc(2026, 10, 31, 23), utc(2026, 11, 3, 0)]


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 27), 18),
        (date(2026, 3, 30), 17),
        (date(2026, 10, 23), 17),
        (date(2026, 10, 26), 18),
    ],
)
def test_london_both_changes(day: date, utc_hour: int) -> None:
    rule = weekly("Europe/London", days=(0, 4))
    found = occurrences(
        rule,
        utc(day.year, day.month, day.day),
        utc(day.year, day.month, day.day) + timedelta(days=1),
    )
    assert len(found) == 1
    assert found[0].starts_at.hour == utc_hour and found[0].local_start.hour == 18


def test_a_zone_without_dst_never_moves() -> None:
    found = occurrences(weekly("Asia/Kolkata", days=(6,)), utc(2026, 1, 1), utc(2027, 1, 1))
    assert len(found) == 52
    assert {(o.starts_at.hour, o.starts_at.minute) for o in found} == {(12, 30)}


def test_a_time_that_does_not_exist_is_moved_forward_by_the_gap() -> None:
    # 02:30 on Sunday 2026-03-08 doesn't exist in Chicago (02:00 -> 03:00).
    assert local_kind(local(2026, 3, 8, 2, 30), "America/Chicago") == "gap"
    assert resolve_local(local(2026, 3, 8, 2, 30), "America/Chicago") == utc(2026, 3, 8, 8, 30)
    assert to_local(utc(2026, 3, 8, 8, 30), "America/Chicago") == local(2026, 3, 8, 3, 30)
    rule = weekly("America/Chicago", at=time(2, 30), days=(6,))
    found = occurrences(rule, utc(2026, 3, 1), utc(2026, 3, 16))
    assert [o.starts_at for o in found] == [
        utc(2026, 3, 1, 8, 30),
        utc(2026, 3, 8, 8, 30),  # 03:30 CDT, an hour after the previous 02:30 CST... on the clock
        utc(2026, 3, 15, 7, 30),
    ]
    # London's gap is 01:00-02:00 on 2026-03-29.
    assert local_kind(local(2026, 3, 29, 1, 30), "Europe/London") == "gap"
    assert resolve_local(local(2026, 3, 29, 1, 30), "Europe/London") == utc(2026, 3, 29, 1, 30)


def test_a_time_that_happens_twice_is_the_first_one() -> None:
    assert local_kind(local(2026, 11, 1, 1, 30), "America/Chicago") == "ambiguous"
    # The first 01:30 is CDT (06:30 UTC), not CST (07:30 UTC).
    assert resolve_local(local(2026, 11, 1, 1, 30), "America/Chicago") == utc(2026, 11, 1, 6, 30)
    assert local_kind(local(2026, 10, 25, 1, 30), "Europe/London") == "ambiguous"
    assert resolve_local(local(2026, 10, 25, 1, 30), "Europe/London") == utc(2026, 10, 25, 0, 30)
    rule = weekly("America/Chicago", at=time(1, 30), days=(6,))
    found = occurrences(rule, utc(2026, 10, 31), utc(2026, 11, 2))
    assert len(found) == 1  # once, not twice


def test_normal_times_are_normal() -> None:
    assert local_kind(local(2026, 3, 8, 18), "America/Chicago") == "normal"
    assert local_kind(local(2026, 3, 8, 2, 30), "Asia/Kolkata") == "normal"


def test_a_one_off_session() -> None:
    rule = Rule((), time(10), 60, "Europe/London", date(2026, 4, 2), date(2026, 4, 2))
    found = occurrences(rule, utc(2026, 1, 1), utc(2027, 1, 1))
    assert [o.starts_at for o in found] == [utc(2026, 4, 2, 9)]
    assert rule.once


def test_window_edges_are_half_open_and_respect_the_series_dates() -> None:
    rule = Rule((0,), time(18), 60, "UTC", date(2026, 3, 9), date(2026, 3, 23))
    assert [o.starts_at for o in occurrences(rule, utc(2026, 3, 1), utc(2026, 4, 30))] == [
        utc(2026, 3, 9, 18),
        utc(2026, 3, 16, 18),
        utc(2026, 3, 23, 18),
    ]
    assert occurrences(rule, utc(2026, 3, 9, 18), utc(2026, 3, 16, 18)) == occurrences(
        rule, utc(2026, 3, 9, 18), utc(2026, 3, 9, 18, 1)
    )


# --- reminders ------------------------------------------------------------------------------


def test_a_day_before_is_the_same_wall_clock_time_the_day_before_across_dst() -> None:
    # Monday 2026-03-09 18:00 CDT; Sunday 18:00 is already CDT: exactly 24 h.
    monday = resolve_local(local(2026, 3, 9, 18), "America/Chicago")
    assert reminder_due(monday, "America/Chicago", 1440) == utc(2026, 3, 8, 23)
    # Sunday 2026-03-08 18:00 CDT; Saturday 18:00 CST is only 23 real hours before.
    sunday = resolve_local(local(2026, 3, 8, 18), "America/Chicago")
    due = reminder_due(sunday, "America/Chicago", 1440)
    assert to_local(due, "America/Chicago") == local(2026, 3, 7, 18)
    assert sunday - due == timedelta(hours=23)
    # Fall back: Sunday 2026-11-01 18:00 CST; Saturday 18:00 CDT is 25 hours before.
    fall = resolve_local(local(2026, 11, 1, 18), "America/Chicago")
    assert fall - reminder_due(fall, "America/Chicago", 1440) == timedelta(hours=25)
    london = resolve_local(local(2026, 3, 29, 18), "Europe/London")
    assert to_local(reminder_due(london, "Europe/London", 2880), "Europe/London") == local(
        2026, 3, 27, 18
    )


def test_hour_leads_are_exact_durations_even_across_the_change() -> None:
    # A 03:30 CDT session on the spring-forward night: an hour before is 01:30 CST.
    start = resolve_local(local(2026, 3, 8, 3, 30), "America/Chicago")
    due = reminder_due(start, "America/Chicago", 60)
    assert start - due == timedelta(hours=1)
    assert to_local(due, "America/Chicago") == local(2026, 3, 8, 1, 30)
    assert reminder_due(utc(2026, 6, 1, 12), "Asia/Kolkata", 90) == utc(2026, 6, 1, 10, 30)


def test_describing() -> None:
    assert describe_weekdays((0, 2, 3)) == "Mon/Wed/Thu"
    assert describe_weekdays((0, 1, 2, 3, 4)) == "weekdays"
    assert describe_weekdays(()) == "once"
    assert format_when(utc(2026, 3, 9, 23), "America/Chicago") == "Mon Mar 9, 6:00 PM CDT"
    assert format_when(utc(2026, 3, 9, 23), "Europe/London") == "Mon Mar 9, 11:00 PM GMT"
    assert format_lead(1440) == "24 hours"
    assert format_lead(60) == "1 hour"
    assert format_lead(90) == "1 hour 30 minutes"
    assert format_lead(2880) == "2 days"
