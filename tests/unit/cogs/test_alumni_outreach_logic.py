"""Who counts as a quiet alumnus, and who may be DM'd (the pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cogs.alumni.outreach_logic import (
    Alumnus,
    Contact,
    last_activity,
    list_line,
    select_quiet,
)

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)  # 12:00 in Chicago
TODAY = date(2026, 6, 1)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def select(
    *people: Alumnus,
    contacts: dict[int, Contact] | None = None,
    enrolled: set[int] | None = None,
    gone: set[int] | None = None,
    quiet_days: int = 14,
) -> list[int]:
    found = select_quiet(
        people,
        contacts or {},
        now=NOW,
        zone=ZONE,
        quiet_days=quiet_days,
        enrolled=enrolled or set(),
        present=lambda uid: uid not in (gone or set()),
    )
    return [q.person.user_id for q in found]


def test_quiet_means_no_checkin_message_or_session_for_n_days() -> None:
    quiet = Alumnus(1, "Spring", ago(90), last_checkin=ago(20))
    checked_in = Alumnus(2, "Spring", ago(90), last_checkin=ago(3))
    wrote = Alumnus(3, "Spring", ago(90), last_message=NOW - timedelta(days=2))
    attended = Alumnus(4, "Spring", ago(90), last_session=NOW - timedelta(days=13))
    exactly = Alumnus(5, "Spring", ago(90), last_checkin=ago(14))
    assert select(quiet, checked_in, wrote, attended, exactly) == [1, 5]
    assert select(quiet, exactly, quiet_days=15) == [1]


def test_graduation_day_counts_as_activity() -> None:
    recent = Alumnus(1, "Spring", ago(3))
    old = Alumnus(2, "Spring", ago(40))
    assert select(recent, old) == [2]
    assert last_activity(recent, ZONE).kind == "graduation"


def test_a_later_graduation_of_the_same_person_wins() -> None:
    first = Alumnus(1, "Spring", ago(200))
    again = Alumnus(1, "Autumn", ago(5))
    assert select(first, again) == []


def test_re_enrolled_and_departed_alumni_are_left_out() -> None:
    back = Alumnus(1, "Spring", ago(90))
    left = Alumnus(2, "Spring", ago(90))
    stays = Alumnus(3, "Spring", ago(90))
    assert select(back, left, stays, enrolled={1}, gone={2}) == [3]


def test_thirty_day_cap_and_opt_out() -> None:
    person = Alumnus(1, "Spring", ago(90))

    def due(contact: Contact) -> bool:
        [found] = select_quiet(
            [person], {1: contact}, now=NOW, zone=ZONE, quiet_days=14, enrolled=set(),
            present=lambda _: True,
        )  # fmt: skip
        return found.dm_now

    assert due(Contact())
    assert not due(Contact(last_dm_at=NOW - timedelta(days=29, hours=23)))
    assert due(Contact(last_dm_at=NOW - timedelta(days=30)))
    assert not due(Contact(opted_out_at=NOW - timedelta(days=100)))
    # Still on the staff list when opted out: staff may reach out themselves.
    assert select(person, contacts={1: Contact(opted_out_at=NOW)}) == [1]


def test_closed_dms_are_not_retried_until_the_person_was_active_again() -> None:
    closed = Contact(last_dm_at=NOW - timedelta(days=60), dms_closed_at=NOW - timedelta(days=60))
    silent = Alumnus(1, "Spring", ago(90))
    came_back = Alumnus(2, "Spring", ago(90), last_checkin=ago(20))
    found = select_quiet(
        [silent, came_back], {1: closed, 2: closed}, now=NOW, zone=ZONE, quiet_days=14,
        enrolled=set(), present=lambda _: True,
    )  # fmt: skip
    assert {q.person.user_id: q.dm_now for q in found} == {1: False, 2: True}


def test_longest_quiet_first_and_the_list_line_shows_no_content() -> None:
    a = Alumnus(1, "Spring", ago(90), last_checkin=ago(20))
    b = Alumnus(2, "Autumn", ago(300))
    assert select(a, b) == [2, 1]
    [quiet] = select_quiet(
        [a], {1: Contact(last_dm_at=NOW - timedelta(days=2))}, now=NOW, zone=ZONE,
        quiet_days=14, enrolled=set(), present=lambda _: True,
    )  # fmt: skip
    line = list_line(quiet, TODAY, ZONE)
    assert line.startswith("<@1> · Spring · graduated Mar 03, 2026 · last check-in May 12")
    assert "(20 days ago)" in line and "DM'd May 30" in line
