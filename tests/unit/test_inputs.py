"""bot.inputs: every refusal is a UserError naming the option; nothing overflows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot import inputs
from bot.errors import UserError

BLANKS = ["", " ", "\t\n", "\u200b", "\u200c\u200d", "\u2060", "\ufeff", " \u200b \ufeff "]


@pytest.mark.parametrize("raw", BLANKS)
def test_blank_text_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(UserError, match=r"^`title`: "):
        inputs.text(raw, "title", max_length=80)


def test_text_keeps_rtl_emoji_and_markdown_and_limits_length() -> None:
    assert inputs.text("  مرحبا 👋🏽 **hi** @everyone ", "title", max_length=80) == (
        "مرحبا 👋🏽 **hi** @everyone"
    )
    assert inputs.text("👨‍👩‍👧", "title", max_length=80) == "👨‍👩‍👧"  # ZWJ inside is kept
    with pytest.raises(UserError, match=r"^`reason`: keep it to 300"):
        inputs.text("x" * 301, "reason", max_length=300)


@pytest.mark.parametrize(
    "raw",
    ["²", "٣", "１２", "9" * 30, "9223372036854775808", "0", "-1", "abc", "", "1e5", " "],
)
def test_bad_ids_are_refused(raw: str) -> None:
    with pytest.raises(UserError, match=r"^`session`: "):
        inputs.snowflake(raw, "session")


def test_ids_in_range_are_read() -> None:
    assert inputs.snowflake(" 17 ", "session") == 17
    assert inputs.snowflake(str(2**63 - 1), "session") == 2**63 - 1


@pytest.mark.parametrize(
    "raw",
    ["localtime", "Factory", "posixrules", "Etc/Unknown", "posix/UTC", "x" * 4000, "\u200b", ""],
)
def test_odd_zones_are_refused(raw: str) -> None:
    with pytest.raises(UserError, match=r"^`timezone`: "):
        inputs.timezone(raw)


def test_real_zones_resolve_to_canonical_names() -> None:
    assert inputs.timezone("america/chicago") == "America/Chicago"
    assert inputs.timezone(" Europe/London ") == "Europe/London"
    assert inputs.timezone("UTC") == "UTC"


@pytest.mark.parametrize("raw", ["99999999999999999999d", "-5m", "0m", "29d", "abc", "٣m", ""])
def test_bad_timeouts_are_refused(raw: str) -> None:
    with pytest.raises(UserError, match=r"^`duration`: "):
        inputs.duration(raw, "duration", minimum=timedelta(seconds=1), maximum=timedelta(days=28))


def test_timeouts_up_to_28_days() -> None:
    bounds = {"minimum": timedelta(seconds=1), "maximum": timedelta(days=28)}
    assert inputs.duration("1h30m", "duration", **bounds) == timedelta(minutes=90)
    assert inputs.duration("28d", "duration", **bounds) == timedelta(days=28)


@pytest.mark.parametrize("raw", ["0000-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "²"])
def test_bad_dates_are_refused(raw: str) -> None:
    with pytest.raises(UserError, match=r"^`date`: "):
        inputs.day(raw, "date")


def test_dates_in_range() -> None:
    assert inputs.day("2026-03-02", "date") == date(2026, 3, 2)


@pytest.mark.parametrize("raw", [",,", ",", " ; ", "abc", "\u200b"])
def test_lead_lists_without_a_time_are_errors_not_off(raw: str) -> None:
    with pytest.raises(UserError, match=r"^`lead_times`: "):
        inputs.spans(raw, "lead_times", most=5)


def test_off_is_explicit() -> None:
    assert inputs.spans("off", "lead_times", most=5) == ()
    assert inputs.spans("none", "lead_times", most=5) == ()
    assert inputs.spans("24h,1h", "lead_times", most=5) == (timedelta(hours=24), timedelta(hours=1))


def test_parser_errors_name_the_field() -> None:
    def parse(raw: str) -> int:
        raise ValueError("not a number")

    with pytest.raises(UserError, match=r"^`weeks`: not a number"):
        inputs.parsed("weeks", parse, "x")
