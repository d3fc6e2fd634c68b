"""The detector's first pass changes no verdict: every labelled message, both ways.

Each message of the corpus, the training data and the latest blind set goes through the full
detector (``first_pass=False``: every rule's regex, the full model, the full context pass)
and through the shipped one (the first pass on), alone and with the four messages before it
in its file as context (so the context pass runs too, much as in the bot). The verdicts must
be equal field for field: level, score, reasons, suppressed cues and the recorded model
scores. The test prints how many messages the first pass settled alone (``pytest -s``).

The blind set is only compared: its texts are never printed, and a failure names line
numbers and counts, never words. ``crisis_blind_next.jsonl`` is not opened at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cogs.crisis.detector import Detector, FirstPassCounts, Verdict
from cogs.crisis.model import DEFAULT_MODEL_PATH, load_model
from cogs.crisis.rules import DEFAULT_RULES_PATH

DATA = Path(__file__).resolve().parents[1] / "data"
CONTEXT = 4  # the bot passes up to four earlier messages (cogs/crisis/recent.py)


def _latest_blind() -> str:
    sets = sorted(DATA.glob("crisis_blind_v*.jsonl"), key=lambda p: int(p.stem.rsplit("v", 1)[1]))
    assert sets, "no blind set in tests/data"
    return sets[-1].name


FILES = ["crisis_corpus.jsonl", "crisis_training.jsonl", _latest_blind()]


def _texts(name: str) -> Iterator[str]:
    assert "next" not in name  # the next release's blind set is never read
    with (DATA / name).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)["text"]


@pytest.fixture(scope="module")
def detectors() -> tuple[Detector, Detector]:
    model = load_model(DEFAULT_MODEL_PATH)
    full = Detector(DEFAULT_RULES_PATH, model, first_pass=False)
    quick = Detector(DEFAULT_RULES_PATH, model)
    return full, quick


def _differences(full: Verdict, quick: Verdict) -> list[str]:
    """Which fields differ (names only: the blind set's words must not reach the output)."""
    fields = ("level", "score", "reasons", "suppressed", "model", "error")
    return [name for name in fields if getattr(full, name) != getattr(quick, name)]


@pytest.mark.parametrize("name", FILES)
def test_first_pass_gives_the_full_verdict(name: str, detectors: tuple[Detector, Detector]) -> None:
    full, quick = detectors
    quick.counts = FirstPassCounts()
    texts = list(_texts(name))
    mismatches: list[tuple[int, str, list[str]]] = []
    levels = {"crisis": 0, "concern": 0, "none": 0}
    for line, text in enumerate(texts, 1):
        context = texts[max(0, line - 1 - CONTEXT) : line - 1]
        for how, earlier in (("alone", []), ("with context", context)):
            expected = full.classify(text, earlier)
            found = quick.classify(text, earlier)
            levels[expected.level] += 1
            if found != expected:
                mismatches.append((line, how, _differences(expected, found)))
    counts = quick.counts
    print(
        f"\n{name}: {len(texts)} messages x 2 (alone, with {CONTEXT} earlier as context) = "
        f"{counts.messages} verdicts {levels}, identical {counts.messages - len(mismatches)}; "
        f"the first pass settled {counts.ordinary} alone ({counts.skip_rate:.1%}): no rule "
        "regex, no full model, no full context pass"
    )
    assert counts.messages == 2 * len(texts)
    assert mismatches == [], f"{len(mismatches)} verdicts differ (line, how, fields)"
    assert counts.ordinary > 0  # the first pass does skip work on real messages


def test_first_pass_on_long_messages(detectors: tuple[Detector, Detector]) -> None:
    """Long messages (many repeated words and n-grams: the quick sums' corrections) too."""
    full, quick = detectors
    texts = list(_texts("crisis_corpus.jsonl"))
    ordinary = [t for t in texts if not full.classify(t).flagged]
    for start in range(0, 400, 20):
        long = " ".join(ordinary[start : start + 40])
        assert quick.classify(long) == full.classify(long)
        assert quick.classify(long[:300], ordinary[start : start + 4]) == full.classify(
            long[:300], ordinary[start : start + 4]
        )
