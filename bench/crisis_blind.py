"""Score the crisis detector on the latest blind set, once, and print the figures.

A blind set (tests/data/crisis_blind_v*.jsonl) is written by people who saw neither the rules,
the corpus nor the training data. It is scored once per release, with this script, and the
figures go to the README; then (at the next detector change) it is retired into the training
data (``python tools/crisis_data.py retire``) and a fresh one is written. This script never
prints a message: only counts, so that running it does not teach anyone the set.

Prints: the confusion matrix (label x level), per category and per writer; the targets of
issue 16 (crisis recall, crisis flagged, harmless flagged and at crisis level, past-tense
recovery stories flagged, Spanish crisis recall) with pass/fail; rules alone beside rules +
model; optionally (``--probs NAME FILE``) recall at equal false-alarm rate for another model's
crisis probabilities ({"i", "p": [none, concern, crisis]} per line), against the shipped
model's crisis head alone.
Run: python bench/crisis_blind.py [--file F] [--json OUT] [--probs minilm P.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cogs.crisis.detector import Detector, load_detector
from cogs.crisis.rules import DEFAULT_RULES_PATH

DATA = ROOT / "tests" / "data"
LEVELS = ("crisis", "concern", "none")
TARGETS = {  # name: (minimum or maximum, value)
    "crisis_recall": ("min", 0.90),
    "crisis_flagged": ("min", 0.97),
    "none_flagged": ("max", 0.05),
    "none_crisis": ("max", 0.02),
    "recovery_story_flagged": ("max", 0.05),
    "spanish_crisis_recall": ("min", 0.90),
}


def latest_blind() -> Path:
    sets = sorted(DATA.glob("crisis_blind_v*.jsonl"), key=lambda p: int(p.stem.rsplit("v", 1)[1]))
    if not sets:
        raise SystemExit("no tests/data/crisis_blind_v*.jsonl")
    return sets[-1]


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def figures(rows: list[dict[str, Any]], levels: list[str]) -> dict[str, Any]:
    """Every figure the README reports, from the labels and the levels the detector gave."""
    counts: Counter[tuple[str, str]] = Counter()
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    by_writer: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for row, got in zip(rows, levels, strict=True):
        counts[row["label"], got] += 1
        by_category[f"{row['label']}:{row.get('category', '?')}"][got] += 1
        by_writer[row.get("source", "?")][row["label"], got] += 1

    def rate(label: str, gots: tuple[str, ...], pick: Any = None) -> float:
        chosen = [(r, g) for r, g in zip(rows, levels, strict=True) if pick is None or pick(r)]
        mine = [g for r, g in chosen if r["label"] == label]
        return share(sum(g in gots for g in mine), len(mine))

    return {
        "messages": len(rows),
        "crisis_recall": rate("crisis", ("crisis",)),
        "crisis_flagged": rate("crisis", ("crisis", "concern")),
        "concern_flagged": rate("concern", ("crisis", "concern")),
        "none_flagged": rate("none", ("crisis", "concern")),
        "none_crisis": rate("none", ("crisis",)),
        "recovery_story_flagged": rate(
            "none", ("crisis", "concern"), lambda r: r.get("category") == "recovery_story_past"
        ),
        "spanish_crisis_recall": rate("crisis", ("crisis",), lambda r: r.get("lang") == "es"),
        "spanish_messages": sum(r.get("lang") == "es" for r in rows),
        "confusion": {f"{a}->{b}": n for (a, b), n in sorted(counts.items())},
        "categories": {k: dict(v) for k, v in sorted(by_category.items())},
        "writers": {
            w: {f"{a}->{b}": n for (a, b), n in sorted(c.items())} for w, c in by_writer.items()
        },
    }


def print_figures(title: str, found: dict[str, Any]) -> None:
    print(f"\n{title} ({found['messages']} messages, {found['spanish_messages']} Spanish)")
    print("  label \\ got   crisis  concern     none")
    for label in LEVELS:
        cells = "".join(f"{found['confusion'].get(f'{label}->{g}', 0):>9}" for g in LEVELS)
        print(f"  {label:<12}{cells}")
    for name, (kind, bound) in TARGETS.items():
        value = found[name]
        ok = value >= bound if kind == "min" else value <= bound
        print(f"  {name:<26} {value:.3f}  ({kind} {bound})  {'pass' if ok else 'MISS'}")
    print(f"  {'concern_flagged':<26} {found['concern_flagged']:.3f}")
    print("\n  per category (label:category)        crisis  concern     none")
    for name, cells in found["categories"].items():
        row = "".join(f"{cells.get(g, 0):>9}" for g in LEVELS)
        print(f"  {name:<36}{row}")


def recall_at_equal_false_alarms(
    labels: list[str], ours: list[float], theirs: list[float]
) -> dict[str, float]:
    """Crisis-vs-rest: recall of each score at the false-alarm rate (on none messages) where
    ours is at 1%, 2% and 5%."""
    out: dict[str, float] = {}
    none = sorted((s for s, label in zip(ours, labels, strict=True) if label == "none"))
    other_none = sorted(s for s, label in zip(theirs, labels, strict=True) if label == "none")
    crisis_ours = [s for s, label in zip(ours, labels, strict=True) if label == "crisis"]
    crisis_theirs = [s for s, label in zip(theirs, labels, strict=True) if label == "crisis"]
    for rate in (0.01, 0.02, 0.05):
        k = max(1, int(rate * len(none)))
        t_ours = none[-k]
        t_theirs = other_none[-k]
        out[f"ours@{rate}"] = share(sum(s > t_ours for s in crisis_ours), len(crisis_ours))
        out[f"theirs@{rate}"] = share(sum(s > t_theirs for s in crisis_theirs), len(crisis_theirs))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--probs", nargs=2, metavar=("NAME", "FILE"), default=None)
    args = parser.parse_args()
    path = args.file or latest_blind()
    rows = load(path)
    detector = load_detector()
    rules = Detector(DEFAULT_RULES_PATH)
    verdicts = [detector.classify(r["text"]) for r in rows]
    both = figures(rows, [v.level for v in verdicts])
    alone = figures(rows, [rules.classify(r["text"]).level for r in rows])
    decided = Counter(f"{v.level}:{v.decided_by}" for v in verdicts if v.flagged)
    print(f"blind set {path.name}")
    print_figures("rules + model (as shipped)", both)
    print(f"  what decided: {dict(sorted(decided.items()))}")
    print_figures("rules alone", alone)
    report: dict[str, Any] = {"file": path.name, "rules_and_model": both, "rules_only": alone}
    if args.probs:
        name, probs_path = args.probs
        probs = {p["i"]: p["p"] for p in load(Path(probs_path))}
        theirs = [float(probs[i][2]) for i in range(len(rows))]
        ours = [v.model[1] if v.model else 0.0 for v in verdicts]
        compared = recall_at_equal_false_alarms([r["label"] for r in rows], ours, theirs)
        print(f"\ncrisis-vs-rest recall at equal false alarms, TF-IDF (ours) vs {name}:")
        print("  " + json.dumps(compared))
        report["compared"] = {"name": name, **compared}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
