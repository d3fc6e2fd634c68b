from cogs.setup.logic import (
    describe_missing,
    normalise_timezone,
    suggest_regions,
    suggest_timezones,
)


def test_timezone_names_are_matched_forgivingly() -> None:
    assert normalise_timezone("America/Chicago") == "America/Chicago"
    assert normalise_timezone(" america/new york ") == "America/New_York"
    assert normalise_timezone("Mars/Olympus") is None
    assert normalise_timezone("../etc/passwd") is None
    assert normalise_timezone("") is None


def test_timezone_suggestions_prefer_city_prefixes_and_respect_discords_limit() -> None:
    found = suggest_timezones("chic")
    assert found[0] == "America/Chicago"
    assert len(suggest_timezones("a")) == 25
    assert "America/New_York" in suggest_timezones("")


def test_region_suggestions_match_code_or_name() -> None:
    regions = {"US": "United States", "UK": "United Kingdom", "MX": "México"}
    assert suggest_regions("united", regions) == [("US", "United States"), ("UK", "United Kingdom")]
    assert suggest_regions("mx", regions) == [("MX", "México")]


def test_missing_settings_read_as_words() -> None:
    assert describe_missing(["timezone", "escalation_channel_id"]) == "timezone, escalation channel"
