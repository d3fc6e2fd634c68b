from datetime import date

import pytest

from bot.inputs import describe
from cogs.cohorts.logic import (
    CohortRuleError,
    clean_name,
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
