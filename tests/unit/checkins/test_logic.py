"""Check-in rules: risk, streaks, averages, the digest, PHQ-9 / GAD-7 scoring."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cogs.checkins import logic
from cogs.checkins.logic import GAD7, PHQ9, Answers, DayEntry

TODAY = date(2026, 3, 10)


def day(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (Answers(mood=2, cravings=7, used="yes"), "concern"),
        (Answers(mood=2, cravings=10, used="yes"), "concern"),
        (Answers(mood=2, cravings=6, used="yes"), None),
        (Answers(mood=2, cravings=9, used="no"), None),
        (Answers(mood=2, cravings=9, used="skip"), None),
        (Answers(mood=2, used="yes"), None),
    ],
)
def test_used_with_high_cravings_is_at_least_a_concern(answers: Answers, level: str | None) -> None:
    assert logic.risk_level(answers) == level


def test_streak_counts_back_from_today_or_yesterday() -> None:
    assert logic.streak([day(0), day(1), day(2), day(4)], TODAY) == 3
    assert logic.streak([day(1), day(2)], TODAY) == 2  # today isn't over yet
    assert logic.streak([day(2)], TODAY) == 0
    assert logic.streak([], TODAY) == 0


def test_averages_skip_missing_answers() -> None:
    avg = logic.averages([DayEntry(day(0), 4, 2, None), DayEntry(day(1), 3, None, 7)])
    assert (avg.mood, avg.cravings, avg.sleep_hours, avg.count) == (3.5, 2.0, 7.0, 2)
    empty = logic.averages([])
    assert (empty.mood, empty.count) == (None, 0)


def test_digest_flags_low_or_falling_mood_high_cravings_and_use() -> None:
    entries = [DayEntry(day(3), 5), DayEntry(day(2), 4), DayEntry(day(1), 2, 8, used="yes")]
    person = logic.digest_person(1, entries, day(1), since=day(10), asked=True)
    assert person.checked_in and person.low_or_falling_mood and person.high_cravings
    reasons = logic.needs_attention(person)
    assert reasons == ["mood 2/5 (was 4.5)", "cravings 8/10", "reported use"]
    falling = logic.digest_person(
        1, [DayEntry(day(2), 5), DayEntry(day(1), 3)], day(1), since=day(10), asked=True
    )
    assert falling.low_or_falling_mood  # 3 isn't low, but it fell by 2
    fine = logic.digest_person(1, [DayEntry(day(1), 4, 2)], day(1), since=day(10), asked=True)
    assert logic.needs_attention(fine) == []


def test_missed_days_count_only_for_people_who_are_asked_and_after_they_joined() -> None:
    last = [DayEntry(day(4), 4)]
    assert logic.digest_person(1, last, day(1), since=day(10), asked=True).missed_days == 3
    assert logic.digest_person(1, last, day(1), since=day(10), asked=False).missed_days == 0
    new = logic.digest_person(1, [], day(1), since=day(1), asked=True)
    assert new.missed_days == 1 and logic.needs_attention(new) == []
    assert "missed 2 days" in logic.needs_attention(
        logic.digest_person(1, [], day(1), since=day(2), asked=True)
    )


def test_closed_dms_and_band_rises_are_flagged() -> None:
    person = logic.digest_person(
        1, [], day(1), since=day(1), asked=True, band_rises=["PHQ-9 up"], dms_closed=True
    )
    assert logic.needs_attention(person) == ["PHQ-9 up", "DMs closed: prompts can't reach them"]


def test_instruments_have_their_validated_items_and_scale() -> None:
    assert len(PHQ9.items) == 9 and len(GAD7.items) == 7
    assert logic.SCALE == (
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    )
    assert PHQ9.items[8].startswith("Thoughts that you would be better off dead")
    assert GAD7.items[0] == "Feeling nervous, anxious, or on edge"
    assert (PHQ9.max_score, GAD7.max_score) == (27, 21)


@pytest.mark.parametrize(
    ("instrument", "total", "band"),
    [
        (PHQ9, 0, "minimal"),
        (PHQ9, 4, "minimal"),
        (PHQ9, 5, "mild"),
        (PHQ9, 9, "mild"),
        (PHQ9, 10, "moderate"),
        (PHQ9, 14, "moderate"),
        (PHQ9, 15, "moderately severe"),
        (PHQ9, 19, "moderately severe"),
        (PHQ9, 20, "severe"),
        (PHQ9, 27, "severe"),
        (GAD7, 4, "minimal"),
        (GAD7, 5, "mild"),
        (GAD7, 10, "moderate"),
        (GAD7, 15, "severe"),
        (GAD7, 21, "severe"),
    ],
)
def test_bands(instrument: logic.Instrument, total: int, band: str) -> None:
    assert logic.band(instrument, total) == band


def test_scores_need_every_answer_in_range() -> None:
    assert logic.score(PHQ9, [3] * 9) == 27
    with pytest.raises(ValueError):
        logic.score(PHQ9, [1] * 8)
    with pytest.raises(ValueError):
        logic.score(GAD7, [4, 0, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError):
        logic.band(GAD7, 22)


def test_item_9_flag_and_band_rise() -> None:
    assert logic.self_harm_flag(PHQ9, 8, 1)
    assert not logic.self_harm_flag(PHQ9, 8, 0)
    assert not logic.self_harm_flag(PHQ9, 7, 3)
    assert not logic.self_harm_flag(GAD7, 6, 3)
    assert logic.rose_a_band(PHQ9, "mild", "moderate")
    assert not logic.rose_a_band(PHQ9, "moderate", "mild")
    assert not logic.rose_a_band(PHQ9, None, "severe")
    assert logic.decode_answers(logic.encode_answers([0, 3, 2])) == [0, 3, 2]
