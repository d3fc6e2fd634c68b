"""Crisis detector: throughput and latency per message, plus corpus and held-out figures.

Short texts are the corpus lines; long texts (2,000-4,000 characters) are corpus lines
joined with ordinary filler chat. Prints messages/s, p50 and p99 latency, the long/short
latency ratio (machines are noisy; ratios travel better than milliseconds) for the rules alone,
the rules with the learned safety net (config/crisis_model.json) and the model's own scoring;
then recall, false alarms and the confusion table for the corpus and the held-out file, rules
only and rules + model, and the model's cross-validated figures recorded in its file.
Run: python bench/detector.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cogs.crisis.detector import MODEL_REASON, Detector, load_detector
from cogs.crisis.model import CrisisModel
from cogs.crisis.rules import DEFAULT_RULES_PATH

DATA = ROOT / "tests" / "data"
HELDOUT = "crisis_heldout_v3.jsonl"  # written blind; earlier held-out files are in the corpus
LEVELS = ("crisis", "concern", "none")
FILLER = (
    "anyway, group was long today and the coffee was cold again. ",
    "my sponsor says one day at a time and honestly that helps. ",
    "does anyone know if thursday is still on zoom or in person? ",
    "we talked about boundaries and triggers and making a plan for the weekend. ",
    "the drive home took forever because of the snow, ",
)


def load(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def long_texts(lines: list[str], count: int, rng: random.Random) -> list[str]:
    texts = []
    for _ in range(count):
        target = rng.randint(2000, 4000)
        parts: list[str] = []
        size = 0
        while size < target:
            part = rng.choice(FILLER) if rng.random() < 0.7 else rng.choice(lines) + ". "
            parts.append(part)
            size += len(part)
        texts.append("".join(parts)[:target])
    return texts


def time_each(detector: Detector | CrisisModel, texts: list[str], rounds: int) -> list[float]:
    judge = detector.classify if isinstance(detector, Detector) else detector.score
    for text in texts[:50]:  # warm-up: caches, the fold table, lazy clause splits
        judge(text)
    timings = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            judge(text)
            timings.append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report_speed(name: str, texts: list[str], timings: list[float]) -> float:
    total = sum(timings)
    p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
    mean_chars = statistics.mean(len(t) for t in texts)
    print(
        f"{name:<20} {len(timings):>6} msgs  mean {mean_chars:>6.0f} chars  "
        f"{len(timings) / total:>9.0f} msg/s  p50 {p50 * 1e3:7.3f} ms  p99 {p99 * 1e3:7.3f} ms  "
        f"max {max(timings) * 1e3:7.3f} ms"
    )
    return p50


def report_quality(name: str, detector: Detector, rows: list[dict[str, str]]) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    by_model: Counter[str] = Counter()
    for row in rows:
        verdict = detector.classify(row["text"])
        counts[row["label"], verdict.level] += 1
        if any(reason.rule == MODEL_REASON for reason in verdict.reasons):
            by_model[row["label"]] += 1

    def rate(label: str, gots: tuple[str, ...]) -> tuple[int, int]:
        return sum(counts[label, g] for g in gots), sum(counts[label, g] for g in LEVELS)

    print(f"\n{name} ({len(rows)} messages)")
    print("  label \\ got   crisis  concern     none")
    for label in LEVELS:
        print(f"  {label:<12}" + "".join(f"{counts[label, got]:>9}" for got in LEVELS))
    for title, label, gots in (
        ("crisis recall (as crisis)", "crisis", ("crisis",)),
        ("crisis flagged (any level)", "crisis", ("crisis", "concern")),
        ("concern flagged (any level)", "concern", ("crisis", "concern")),
        ("none flagged = false alarms", "none", ("crisis", "concern")),
    ):
        hit, total = rate(label, gots)
        print(f"  {title:<29} {hit:>3}/{total:<3} = {hit / total if total else 0:.3f}")
    if detector.model is not None:
        print(
            "  raised to concern by the model: "
            + ", ".join(f"{label} {by_model[label]}" for label in LEVELS)
        )


def report_cv(model: CrisisModel) -> None:
    cv = model.cv
    print(
        f"\nmodel: {model.features} features, threshold {model.threshold}, trained "
        f"{model.created} on {model.corpus_size} corpus lines\n"
        f"model cross-validated on the corpus ({cv.get('folds')}-fold, model alone, "
        f"out-of-fold): AUC {cv.get('auc_risky_vs_none')}, crisis flagged "
        f"{cv.get('crisis_flagged')}, concern flagged {cv.get('concern_flagged')}, none flagged "
        f"{cv.get('none_flagged')} (budget {cv.get('max_none_flagged')})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20260302)

    started = time.perf_counter()
    detector = load_detector()
    print(
        f"rules v{detector.version} and model loaded and compiled in "
        f"{(time.perf_counter() - started) * 1e3:.1f} ms"
    )
    model = detector.model
    if model is None:
        print("config/crisis_model.json did not load: rules + model figures are rules only")
    rules_only = Detector(DEFAULT_RULES_PATH)
    corpus = load("crisis_corpus.jsonl")
    short = [row["text"] for row in corpus]
    long = long_texts(short, 200, rng)

    print()
    for name, judge in (("rules", rules_only), ("rules+model", detector), ("model alone", model)):
        if judge is None:
            continue
        p50_short = report_speed(f"{name} short", short, time_each(judge, short, args.rounds))
        p50_long = report_speed(f"{name} long", long, time_each(judge, long, args.rounds))
        print(f"{name}: long/short p50 latency ratio {p50_long / p50_short:.1f}x")

    report_quality("corpus, rules only", rules_only, corpus)
    report_quality(
        "corpus, rules + model (in-sample: the model was trained on the corpus)", detector, corpus
    )
    if model is not None:
        report_cv(model)
    if (DATA / HELDOUT).exists():
        heldout = load(HELDOUT)
        title = f"held-out {HELDOUT} (never used to write rules or train the model)"
        report_quality(f"{title}, rules only", rules_only, heldout)
        report_quality(f"{title}, rules + model", detector, heldout)
    else:
        print(f"\nheld-out: tests/data/{HELDOUT} is not there yet")


if __name__ == "__main__":
    main()
