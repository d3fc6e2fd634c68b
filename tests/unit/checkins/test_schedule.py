"""Prompt times: parsing, and local wall-clock rules across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cogs.checkins import schedule
from cogs.checkins.schedule import Rule, ScheduleError

CHICAGO = "America/Chicago"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("09:00", time(9)),
        ("9:05", time(9, 5)),
        ("21:30", time(21, 30)),
        ("9am", time(9)),
        ("9:30 pm", time(21, 30)),
        ("12 am", time(0)),
        ("12pm", time(12)),
        ("00:00", time(0)),
    ],
)
def test_parse_time(raw: str, expected: time) -> None:
    assert schedule.parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["25:00", "9:60", "soon", "13pm", "9", ""])
def test_parse_time_refuses_nonsense(raw: str) -> None:
    with pytest.raises(ScheduleError):
        schedule.parse_time(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("every day", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("mon,wed,fri", {0, 2, 4}),
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("fri-mon", {4, 5, 6, 0}),
        ("sunday", {6}),
        ("tue thu", {1, 3}),
    ],
)
def test_parse_days(raw: str, expected: set[int]) -> None:
    assert schedule.parse_days(raw) == frozenset(expected)
    assert schedule.decode_days(schedule.encode_days(frozenset(expected))) == frozenset(expected)


@pytest.mark.parametrize("raw", ["funday", "mon,blursday", ",,"])
def test_parse_days_refuses_nonsense(raw: str) -> None:
    with pytest.raises(ScheduleError):
        schedule.parse_days(raw)


def test_format_days() -> None:
    assert schedule.format_days(frozenset(range(7))) == "every day"
    assert schedule.format_days(frozenset({0, 2})) == "Mon, Wed"


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "/UTC"])
def test_unknown_zones_are_refused(name: str) -> None:
    with pytest.raises(ScheduleError):
        schedule.zone(name)


def test_nine_am_stays_nine_am_local_across_both_us_transitions() -> None:
    rule = Rule(time(9), CHICAGO)
    spring = [schedule.occurrence(rule, date(2026, 3, d)) for d in (7, 8, 9)]
    assert [t.hour for t in spring] == [15, 14, 14]  # CST (-6) then CDT (-5)
    autumn = [schedule.occurrence(rule, date(2026, 10, 31) + timedelta(days=d)) for d in (0, 1)]
    assert [t.hour for t in autumn] == [14, 15]
    for instant in spring + autumn:
        assert instant.astimezone(rule.zone).time() == time(9)


def test_a_time_inside_the_spring_gap_is_sent_once_after_the_change() -> None:
    rule = Rule(time(2, 30), CHICAGO)
    instant = schedule.occurrence(rule, date(2026, 3, 8))
    assert instant == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)  # 03:30 CDT
    nxt = schedule.next_occurrence(rule, instant)
    assert nxt == datetime(2026, 3, 9, 7, 30, tzinfo=UTC)  # back to 02:30 local


def test_a_time_that_happens_twice_in_autumn_is_sent_once() -> None:
    rule = Rule(time(1, 30), CHICAGO)
    first = schedule.next_occurrence(rule, datetime(2026, 11, 1, 0, 0, tzinfo=UTC))
    assert first == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT, the first one
    second = schedule.next_occurrence(rule, first)
    assert second.date() == date(2026, 11, 2)


def test_next_occurrence_respects_days_and_is_strictly_after() -> None:
    rule = Rule(time(9), CHICAGO, frozenset({0, 2}))  # Mon, Wed
    monday_9 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert schedule.next_occurrence(rule, monday_9 - timedelta(seconds=1)) == monday_9
    assert schedule.next_occurrence(rule, monday_9) == monday_9 + timedelta(days=2)


def test_next_due_sends_late_only_within_the_grace_window() -> None:
    rule = Rule(time(9), CHICAGO)
    due = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    handled = due - timedelta(days=1)
    grace = timedelta(hours=1)
    assert (
        schedule.next_due(rule, last_handled=handled, now=due + timedelta(minutes=30), grace=grace)
        == due
    )
    assert schedule.next_due(
        rule, last_handled=handled, now=due + timedelta(hours=2), grace=grace
    ) == due + timedelta(days=1)
    # Already handled: never the same occurrence twice.
    assert schedule.next_due(
        rule, last_handled=due, now=due + timedelta(minutes=1), grace=grace
    ) == due + timedelta(days=1)


def test_local_day_uses_the_persons_zone() -> None:
    late_evening = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # 22:00 on Mar 2 in Chicago
    assert schedule.local_day(late_evening, CHICAGO) == date(2026, 3, 2)
    assert schedule.local_day(late_evening, "UTC") == date(2026, 3, 3)
