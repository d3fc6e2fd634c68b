"""Normalisation: folded text for matching, offsets that map back to what the person wrote."""

from __future__ import annotations

import pytest

from cogs.crisis.detector import Detector


def _span_of(detector: Detector, original: str, word: str) -> str:
    norm = detector.normalise(original)
    start = norm.text.index(word)
    begin, end = norm.original_span(start, start + len(word))
    return original[begin:end]


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("I WANT TO DIE", "i want to die"),
        ("i want to k1ll mys3lf", "i want to kill myself"),
        ("su1c1de", "suicide"),
        ("thinking about s*icide", "thinking about suicide"),
        ("i want to diiiiie", "i want to die"),
        ("k m s", "kms"),
        ("s-u-i-c-i-d-e", "suicide"),
        ("i don’t want to exist", "i don't want to exist"),
        ("estarían mejor sin mí", "estarian mejor sin mi"),
        ("d̴̛i̷̡e̶͎", "die"),  # zalgo: combining marks dropped
        ("i wаnt to die", "i want to die"),  # Cyrillic а
        ("zero\u200bwidth", "zerowidth"),
        ("a\t\t b", "a b"),
    ],
)
def test_normalised_text(detector: Detector, original: str, expected: str) -> None:
    assert detector.normalise(original).text == expected


def test_numbers_with_units_are_not_leetspeak(detector: Detector) -> None:
    assert detector.normalise("drove 100kms at 3am").text == "drove 100kms at 3am"


def test_discord_markup_is_blanked(detector: Detector) -> None:
    text = detector.normalise("<@123456789> see https://example.com/kill-myself").text
    assert "kill" not in text and "123" not in text


@pytest.mark.parametrize(
    ("original", "word", "expected"),
    [
        ("ok so i want to diiiie 😭😭", "die", "diiiie"),
        ("i want to k1ll mys3lf", "kill myself", "k1ll mys3lf"),
        ("honestly k m s lol", "kms", "k m s"),
        ("😭 s-u-i-c-i-d-e again", "suicide", "s-u-i-c-i-d-e"),
        ("İ d̴i̷e̶ now", "die", "d̴i̷e̶"),
        ("a\t\tthinking about s*icide", "suicide", "s*icide"),
        ("ﬁne. I WANT TO DIE", "want to die", "WANT TO DIE"),
    ],
)
def test_offsets_map_back_to_the_original(
    detector: Detector, original: str, word: str, expected: str
) -> None:
    assert _span_of(detector, original, word) == expected


def test_identity_map_when_nothing_changes_length(detector: Detector) -> None:
    norm = detector.normalise("Plain Text")
    assert norm.starts is None and norm.original_span(0, 5) == (0, 5)
