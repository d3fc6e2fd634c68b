"""The calendar writer (RFC 5545 escaping, folding, CRLF) and /session add's input rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from cogs.sessions.ics import CalendarEvent, calendar, escape_text, fold
from cogs.sessions.logic import build_rule, clean_link, clean_location, clean_title, dst_notes
from cogs.sessions.recurrence import RecurrenceError, Rule

NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)


def test_text_is_escaped() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_characters() -> None:
    line = "SUMMARY:" + "é" * 60
    folded = fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == line


def test_a_calendar_file() -> None:
    event = CalendarEvent(
        uid="lantern-session-1@5",
        title="Group therapy",
        starts_at=datetime(2026, 3, 3, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 3, 3, tzinfo=UTC),
        location="Room 2, Main St",
        url="https://meet.example/x",
    )
    body = calendar([event], name="Spring", now=NOW).decode()
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20260303T000000Z" in lines and "DTEND:20260303T030000Z" in lines
    assert "DTSTAMP:20260302T150000Z" in lines
    assert "LOCATION:Room 2\\, Main St" in lines
    assert "STATUS:CONFIRMED" in lines and "VERSION:2.0" in lines
    assert "\n" not in body.replace("\r\n", "")


def rule(**changes: object) -> Rule:
    values: dict[str, object] = {
        "weekdays": "Mon,Wed,Thu",
        "at": "18:00",
        "duration": "3h",
        "zone": "America/Chicago",
        "today": date(2026, 3, 2),
        "cohort_start": date(2026, 3, 2),
        "cohort_end": date(2026, 5, 22),
        "starts": None,
        "ends": None,
    }
    values.update(changes)
    return build_rule(**values)  # type: ignore[arg-type]


def test_a_series_defaults_to_the_cohort_dates() -> None:
    made = rule()
    assert (made.starts_on, made.ends_on) == (date(2026, 3, 2), date(2026, 5, 22))
    assert made.start_time == time(18) and made.duration_minutes == 180
    assert rule(today=date(2026, 3, 10)).starts_on == date(2026, 3, 10)


def test_one_offs() -> None:
    made = rule(weekdays="once", starts="2026-03-12")
    assert made.once and made.starts_on == made.ends_on == date(2026, 3, 12)
    with pytest.raises(RecurrenceError, match="needs its date"):
        rule(weekdays="once")
    with pytest.raises(RecurrenceError, match="no end date"):
        rule(weekdays="once", starts="2026-03-12", ends="2026-03-20")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts": "2026-03-01"}, "in the past"),
        ({"starts": "2026-04-01", "ends": "2026-03-01"}, "before the start"),
        ({"starts": "2026-06-01"}, "Give an `ends:` date"),
        ({"weekdays": "Mnd"}, "weekday"),
        ({"at": "25:00"}, "00 to 23"),
    ],
)
def test_bad_series(changes: dict[str, object], message: str) -> None:
    with pytest.raises(RecurrenceError, match=message):
        rule(**changes)


def test_titles_locations_links() -> None:
    assert clean_title("  Group   therapy ") == "Group therapy"
    assert clean_location("  ") is None and clean_location("Room 2") == "Room 2"
    assert clean_link("https://meet.example/x") == "https://meet.example/x"
    assert clean_link(None) is None
    for bad in ("ftp://x.example", "meet.example", "https://", "javascript:alert(1)"):
        with pytest.raises(RecurrenceError):
            clean_link(bad)
    with pytest.raises(RecurrenceError):
        clean_title(" ")
    with pytest.raises(RecurrenceError):
        clean_title("x" * 81)


def test_dst_notes_name_the_odd_days() -> None:
    gap = Rule((6,), time(2, 30), 60, "America/Chicago", date(2026, 3, 1), date(2026, 11, 30))
    (note,) = dst_notes(gap)
    assert "Sun Mar 8" in note and "3:30 AM" in note
    twice = Rule((6,), time(1, 30), 60, "Europe/London", date(2026, 3, 1), date(2026, 11, 30))
    notes = dst_notes(twice)
    assert len(notes) == 2  # 01:30 is in London's gap in March and repeated in October
    assert "Sun Mar 29" in notes[0] and "2:30 AM" in notes[0]
    assert "Sun Oct 25" in notes[1] and "happens twice" in notes[1]
    assert dst_notes(rule()) == []
