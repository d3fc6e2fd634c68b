"""When a cohort's end-of-program ask is due (pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cogs.cohorts.ending import BEFORE_DAYS, LATE_DAYS, stage_due

END = date(2026, 5, 22)


@pytest.mark.parametrize(
    ("days_before_end", "expected"),
    [
        (BEFORE_DAYS + 1, None),
        (BEFORE_DAYS, "before"),
        (1, "before"),
        (0, "day"),
        (-LATE_DAYS, "day"),  # Lantern was down on the day: still asked, a little late
        (-LATE_DAYS - 1, None),
    ],
)
def test_stage_due(days_before_end: int, expected: str | None) -> None:
    assert stage_due(END, END - timedelta(days=days_before_end)) == expected
