from datetime import date, timedelta

import pytest

from bot.inputs import describe
from cogs.cohorts.logic import (
    CohortRuleError,
    clean_name,
    milestones_between,
    milestones_due,
    parse_day,
    slug,
    validate_capacity,
    validate_dates,
)
from cogs.moderation.logic import excerpt, parse_duration


def test_names_are_cleaned_and_slugged() -> None:
    assert clean_name("  Spring   Evening 2026 ") == "Spring Evening 2026"
    assert slug("Ñandú Group #3") == "nandu-group-3"
    with pytest.raises(CohortRuleError):
        clean_name("!!!")
    with pytest.raises(CohortRuleError):
        clean_name("x" * 41)


def test_dates_and_capacity() -> None:
    assert parse_day("2026-03-02", "start") == date(2026, 3, 2)
    with pytest.raises(CohortRuleError, match="YYYY-MM-DD"):
        parse_day("03/02/2026", "start")
    with pytest.raises(CohortRuleError):
        validate_dates(date(2026, 3, 2), date(2026, 3, 2))
    with pytest.raises(CohortRuleError):
        validate_dates(date(2026, 1, 1), date(2027, 6, 1))
    assert validate_capacity(None) == 15
    with pytest.raises(CohortRuleError):
        validate_capacity(51)


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


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("10m", 600), ("1h30m", 5400), ("2d", 172800), ("1w", 604800), ("45 s", 45)],
)
def test_durations(raw: str, seconds: int) -> None:
    assert parse_duration(raw).total_seconds() == seconds


@pytest.mark.parametrize("raw", ["", "soon", "10", "0m", "29d", "1h-2m"])
def test_bad_durations(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(raw)


def test_describe_and_excerpt() -> None:
    assert describe(parse_duration("1h30m")) == "1h 30m"
    assert excerpt("a\n\nb ```code```") == "a b ˋˋˋcodeˋˋˋ"
    assert len(excerpt("x" * 500)) == 300
