"""When "Remind me in 1 hour / tonight" brings a check-in back (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cogs.checkins.schedule import snooze_until

ZONE = "America/Chicago"  # UTC-6 in March before the change


def test_in_one_hour() -> None:
    now = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    assert snooze_until("1h", now, ZONE) == now + timedelta(hours=1)


def test_tonight_is_8_pm_local() -> None:
    morning = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 9 am in Chicago
    assert snooze_until("tonight", morning, ZONE) == datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def test_tonight_from_7_pm_on_is_an_hour_from_now() -> None:
    evening = datetime(2026, 3, 4, 1, 30, tzinfo=UTC)  # 7:30 pm in Chicago
    assert snooze_until("tonight", evening, ZONE) == evening + timedelta(hours=1)


def test_tonight_across_the_clock_change() -> None:
    # Sunday Mar 8 2026: Chicago moves to UTC-5 at 2 am; 8 pm that day is 01:00 UTC.
    morning = datetime(2026, 3, 8, 15, 0, tzinfo=UTC)
    assert snooze_until("tonight", morning, ZONE) == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
