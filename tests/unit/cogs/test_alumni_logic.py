from datetime import date, timedelta

from cogs.alumni.logic import milestones_between, milestones_due, progress, saved_text


def test_milestones_clamp_months_and_repeat_yearly() -> None:
    keys = [m.key for m in milestones_between(date(2024, 8, 31), date(2027, 9, 1))]
    assert keys == ["30d", "60d", "90d", "6m", "1y", "2y", "3y"]
    six = next(m for m in milestones_between(date(2025, 8, 31), date(2026, 3, 1)) if m.key == "6m")
    assert six.reached_on == date(2026, 2, 28)
    leap = next(m for m in milestones_between(date(2024, 2, 29), date(2025, 3, 1)) if m.key == "1y")
    assert leap.reached_on == date(2025, 2, 28)


def test_due_milestones_skip_announced_and_old_backlog() -> None:
    start = date(2020, 1, 10)
    today = date(2026, 1, 12)
    assert [m.key for m in milestones_due(start, today, set())] == ["6y"]
    assert milestones_due(start, today, {"6y"}) == []
    assert [m.key for m in milestones_due(today - timedelta(days=30), today, set())] == ["30d"]


def test_progress_counts_days_and_names_the_next_milestone() -> None:
    assert progress(date(2026, 1, 1), date(2026, 1, 2)) == (
        "1 day since Jan 01, 2026. Next milestone: **30 days** on Jan 31, 2026."
    )
    assert progress(date(2025, 1, 1), date(2025, 12, 31)).startswith("364 days since")
    assert "**1 year** on Jan 01, 2026" in progress(date(2025, 1, 1), date(2025, 12, 31))


def test_starting_again_is_answered_kindly_and_a_same_date_changes_nothing() -> None:
    today = date(2026, 6, 1)
    again = saved_text(date(2026, 3, 1), date(2026, 5, 30), today)
    assert "Starting again is part of recovery" in again and "90 days before it" in again
    assert "2 days since May 30, 2026" in again
    assert saved_text(date(2026, 3, 1), date(2026, 3, 1), today).startswith("That's already")
    first = saved_text(None, date(2026, 3, 1), today)
    assert first.startswith("Saved. I'll celebrate") and "/milestone clear" in first
