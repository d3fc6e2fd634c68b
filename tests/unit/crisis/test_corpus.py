"""Corpus gate: recall and false alarms on the labelled corpus; held-out figures separately.

tests/data/crisis_corpus.jsonl may be used to write rules; tests/data/crisis_heldout_v3.jsonl
must not be (it estimates how the detector does on messages nobody tuned it for), so its test
is a regression floor, not a target. Earlier held-out files (crisis_heldout.jsonl,
crisis_heldout_v2.jsonl) were used for tuning and now live in the corpus.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from cogs.crisis.detector import Detector

DATA = Path(__file__).resolve().parents[2] / "data"
LEVELS = ("crisis", "concern", "none")

CRISIS_RECALL_MIN = 0.95  # crisis messages judged crisis
NONE_FLAGGED_MAX = 0.10  # none messages judged concern or crisis
CONCERN_FLAGGED_MIN = 0.85  # concern messages judged concern or crisis (measured: 1.00)
HELDOUT_FLAGGED_MIN = 0.80  # blind set: risky messages reaching a facilitator at all
HELDOUT_NONE_FLAGGED_MAX = 0.25
HELDOUT = "crisis_heldout_v3.jsonl"


def _load(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _confusion(detector: Detector, rows: list[dict[str, str]]) -> tuple[Counter, list[str]]:
    counts: Counter[tuple[str, str]] = Counter()
    misses: list[str] = []
    for row in rows:
        got = detector.classify(row["text"]).level
        counts[row["label"], got] += 1
        if got != row["label"]:
            misses.append(f"  {row['label']:>7} -> {got:<7} {row['text']!r}")
    return counts, misses


def _table(counts: Counter) -> str:
    lines = ["label \\ got   crisis  concern     none"]
    for label in LEVELS:
        cells = "".join(f"{counts[label, got]:>9}" for got in LEVELS)
        lines.append(f"{label:<12}{cells}")
    return "\n".join(lines)


def _rate(counts: Counter, label: str, gots: tuple[str, ...]) -> float:
    total = sum(counts[label, got] for got in LEVELS)
    return sum(counts[label, got] for got in gots) / total if total else 0.0


def test_corpus_is_realistic_in_size_and_mix() -> None:
    rows = _load("crisis_corpus.jsonl")
    mix = Counter(row["label"] for row in rows)
    assert len(rows) >= 300
    assert set(mix) == set(LEVELS)
    assert 0.25 <= mix["crisis"] / len(rows) <= 0.40
    assert 0.15 <= mix["concern"] / len(rows) <= 0.25
    assert len({row["text"] for row in rows}) == len(rows), "duplicate corpus lines"


def test_corpus_gate(detector: Detector) -> None:
    counts, misses = _confusion(detector, _load("crisis_corpus.jsonl"))
    recall = _rate(counts, "crisis", ("crisis",))
    false_alarms = _rate(counts, "none", ("crisis", "concern"))
    concern_flagged = _rate(counts, "concern", ("crisis", "concern"))
    report = (
        f"\n{_table(counts)}\ncrisis recall {recall:.3f} (min {CRISIS_RECALL_MIN}), "
        f"none flagged {false_alarms:.3f} (max {NONE_FLAGGED_MAX}), "
        f"concern flagged {concern_flagged:.3f} (min {CONCERN_FLAGGED_MIN})\n" + "\n".join(misses)
    )
    assert recall >= CRISIS_RECALL_MIN, report
    assert false_alarms <= NONE_FLAGGED_MAX, report
    assert concern_flagged >= CONCERN_FLAGGED_MIN, report


def test_blind_heldout_regression_floor(detector: Detector) -> None:
    """A floor on messages nobody tuned the rules or trained the model on (written blind).
    Not a target to tune against: if a change drops below it, the change made the detector
    worse on unseen language. Measured when set: 44/50 crisis and 30/35 concern flagged,
    12/65 harmless messages flagged (concern, no ping); 21/50 crisis judged crisis."""
    counts, _ = _confusion(detector, _load(HELDOUT))
    report = f"\n{_table(counts)}"
    assert _rate(counts, "crisis", ("crisis", "concern")) >= HELDOUT_FLAGGED_MIN, report
    assert _rate(counts, "concern", ("crisis", "concern")) >= HELDOUT_FLAGGED_MIN, report
    assert _rate(counts, "none", ("crisis", "concern")) <= HELDOUT_NONE_FLAGGED_MAX, report
