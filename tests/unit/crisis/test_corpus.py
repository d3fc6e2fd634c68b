"""Corpus gate: recall and false alarms on the labelled corpus; the blind set separately.

tests/data/crisis_corpus.jsonl may be used to write rules; the latest blind set
(tests/data/crisis_blind_v*.jsonl) must not be: it was written by people who saw neither the
rules nor the data, and is scored once per release (bench/crisis_blind.py, figures in the
README). Its test here is a regression floor, not a target. Earlier blind sets were retired
into tests/data/crisis_training.jsonl (docs/crisis.md).
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
# Floors on the latest blind set (v4, 691 messages), a point or so from what it measured when
# it was scored once (python bench/crisis_blind.py): crisis recall 0.852, crisis flagged
# 0.911, harmless flagged 0.062, harmless at crisis level 0.036.
BLIND_FLOORS = {
    "crisis_recall": ("min", 0.84),
    "crisis_flagged": ("min", 0.90),
    "none_flagged": ("max", 0.07),
    "none_crisis": ("max", 0.04),
}
TAXONOMY = {
    "crisis": {
        "ideation_explicit",
        "ideation_veiled",
        "goodbye_logistics",
        "plan_no_method",
        "method_intent",
        "overdose_intent",
        "danger_from_other",
    },
    "concern": {"distress", "relapse_craving", "self_harm_urge", "other_at_risk", "unsafe_not_now"},
    "none": {
        "recovery_story_past",
        "negation",
        "figurative",
        "third_person_news",
        "media_jokes_gaming",
        "ordinary_logistics",
        "ordinary_meds_recovery",
        "everyday_chat",
    },
}


def latest_blind() -> Path:
    sets = sorted(DATA.glob("crisis_blind_v*.jsonl"), key=lambda p: int(p.stem.rsplit("v", 1)[1]))
    assert sets, "no blind set in tests/data"
    return sets[-1]


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


def test_blind_set_is_big_enough_covers_the_taxonomy_and_is_not_in_training() -> None:
    rows = _load(latest_blind().name)
    assert len(rows) >= 600
    for label, categories in TAXONOMY.items():
        for category in categories:
            mine = [r for r in rows if r["category"] == category]
            assert len(mine) >= 15, category
            assert {r["label"] for r in mine} == {label}, category
    assert sum(r["lang"] == "es" for r in rows) >= 0.08 * len(rows)
    assert all(r["source"] for r in rows)
    squash = {"".join(ch for ch in r["text"].lower() if ch.isalnum()) for r in rows}
    for name in ("crisis_corpus.jsonl", "crisis_training.jsonl"):
        for row in _load(name):
            assert "".join(ch for ch in row["text"].lower() if ch.isalnum()) not in squash


def test_training_data_covers_the_taxonomy() -> None:
    rows = _load("crisis_training.jsonl")
    counts = Counter(r["category"] for r in rows)
    for categories in TAXONOMY.values():
        for category in categories:
            assert counts[category] >= 100, (category, counts[category])
    assert len(rows) + len(_load("crisis_corpus.jsonl")) >= 4000
    spanish = sum(r["lang"] == "es" for r in rows) / len(rows)
    assert 0.08 <= spanish <= 0.25


def test_blind_set_regression_floor(detector: Detector) -> None:
    """Figures measured once when the blind set was scored (README); a change that drops
    below them made the detector worse on language nobody tuned it for."""
    counts, _ = _confusion(detector, _load(latest_blind().name))
    found = {
        "crisis_recall": _rate(counts, "crisis", ("crisis",)),
        "crisis_flagged": _rate(counts, "crisis", ("crisis", "concern")),
        "none_flagged": _rate(counts, "none", ("crisis", "concern")),
        "none_crisis": _rate(counts, "none", ("crisis",)),
    }
    report = f"\n{_table(counts)}\n{found}"
    for name, (kind, bound) in BLIND_FLOORS.items():
        if kind == "min":
            assert found[name] >= bound, f"{name} below {bound}" + report
        else:
            assert found[name] <= bound, f"{name} above {bound}" + report
