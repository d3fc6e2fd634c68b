"""Crisis detector: throughput and latency per message, with and without its first pass,
memory, and corpus figures.

Short texts are the 20-120-character labelled messages; long texts (2,000-4,000 characters)
are those joined with ordinary filler chat; "everyday" are the training data's everyday-chat
messages (what most of a channel is). Each detector runs twice: with the first pass (as
shipped: rules whose words are absent are not run, the full model only when a quick sum is
close to a threshold) and without (``Detector(first_pass=False)``: every stage in full; the
verdicts are the same, tests/unit/test_detector_first_pass.py). Prints messages/s, p50 and p99
latency, µs per message and the long/short latency ratio (machines are noisy; ratios travel
better than milliseconds) for the rules alone, the rules with the learned safety net
(config/crisis_model.json) and the model's own scoring; then recall, false alarms and the
confusion table for the corpus, rules only and rules + model, and the cross-validated
figures recorded in the model file. The blind set is scored by bench/crisis_blind.py.
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

from cogs.crisis.detector import Detector, FirstPassCounts, load_detector
from cogs.crisis.model import CrisisModel
from cogs.crisis.rules import DEFAULT_RULES_PATH

DATA = ROOT / "tests" / "data"
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


def time_each(
    detector: Detector | CrisisModel,
    texts: list[str],
    rounds: int,
    context: list[list[str]] | None = None,
) -> list[float]:
    def judge(text: str, before: list[str]) -> object:
        if isinstance(detector, Detector):
            return detector.classify(text, before)
        return detector.score(text)

    earlier = context or [[] for _ in texts]
    for text, before in zip(texts[:50], earlier, strict=False):  # warm-up: caches, lazy parts
        judge(text, before)
    timings = []
    for _ in range(rounds):
        for text, before in zip(texts, earlier, strict=True):
            started = time.perf_counter()
            judge(text, before)
            timings.append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report_speed(name: str, texts: list[str], timings: list[float]) -> float:
    """Prints one line; returns the mean in µs per message."""
    total = sum(timings)
    p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
    mean_chars = statistics.mean(len(t) for t in texts)
    mean_us = total / len(timings) * 1e6
    print(
        f"{name:<34} {len(timings):>6} msgs  mean {mean_chars:>5.0f} chars  "
        f"{mean_us:>7.0f} µs/msg  {len(timings) / total:>6.0f} msg/s  p50 {p50 * 1e3:6.3f} ms  "
        f"p99 {p99 * 1e3:6.3f} ms"
    )
    return mean_us


def report_quality(name: str, detector: Detector, rows: list[dict[str, str]]) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    by_model: Counter[str] = Counter()
    for row in rows:
        verdict = detector.classify(row["text"])
        counts[row["label"], verdict.level] += 1
        if verdict.decided_by == "model":
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
        print("  level set by the model: " + ", ".join(f"{lab} {by_model[lab]}" for lab in LEVELS))


def report_cv(model: CrisisModel) -> None:
    cv = model.cv
    print(
        f"\nmodel: {model.features} features, policy {model.policy.to_json()}, trained "
        f"{model.created} on {model.corpus_size} messages\n"
        f"cross-validated ({cv.get('folds')}-fold, out-of-fold model scores through the whole "
        f"decision): {json.dumps(cv.get('rules_and_model'))}\n"
        f"rules alone on the same data: {json.dumps(cv.get('rules_only'))}"
    )


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20260302)

    before = rss_mib()
    started = time.perf_counter()
    detector = load_detector()
    rules_only = Detector(DEFAULT_RULES_PATH)
    print(
        f"rules v{detector.version} and model loaded and compiled (first pass included) in "
        f"{(time.perf_counter() - started) * 1e3:.1f} ms; memory added by the model "
        f"{rss_mib() - before:.1f} MiB"
    )
    model = detector.model
    if model is None:
        print("config/crisis_model.json did not load: rules + model figures are rules only")
    corpus = load("crisis_corpus.jsonl")
    training = load("crisis_training.jsonl")
    everything = corpus + training
    short = [row["text"] for row in everything if 20 <= len(row["text"]) <= 120]
    everyday = [row["text"] for row in training if row.get("category") == "everyday_chat"]
    long = long_texts(short, 200, rng)
    # As in the bot: each message read with the person's 4 previous ones (the worst case).
    context = [[rng.choice(short) for _ in range(4)] for _ in short]

    variants: list[tuple[str, Detector | CrisisModel]] = [
        ("rules, full", Detector(DEFAULT_RULES_PATH, first_pass=False)),
        ("rules, first pass", rules_only),
    ]
    if model is not None:
        variants += [
            ("rules+model, full", Detector(DEFAULT_RULES_PATH, model, first_pass=False)),
            ("rules+model, first pass", detector),
            ("model alone", model),
        ]
    means: dict[tuple[str, str], float] = {}
    print()
    for name, judge in variants:
        if isinstance(judge, Detector):
            judge.counts = FirstPassCounts()
        mean_short = report_speed(f"{name} 20-120", short, time_each(judge, short, args.rounds))
        mean_long = report_speed(f"{name} long", long, time_each(judge, long, args.rounds))
        means[name, "short"], means[name, "long"] = mean_short, mean_long
        print(f"{name}: long/short latency ratio {mean_long / mean_short:.1f}x")
        if isinstance(judge, Detector) and judge.model is not None:
            means[name, "everyday"] = report_speed(
                f"{name} everyday", everyday, time_each(judge, everyday, args.rounds)
            )
            timings = time_each(judge, short, args.rounds, context)
            means[name, "context"] = report_speed(f"{name} + 4 earlier", short, timings)
        if isinstance(judge, Detector) and judge.first_pass:
            counts = judge.counts
            print(
                f"{name}: settled by the first pass alone {counts.ordinary}/{counts.messages} "
                f"({counts.skip_rate:.1%}) of all the messages above"
            )
    print("\nµs per message, without -> with the first pass (same verdicts):")
    kinds = ("short", "long", "everyday", "context")
    for base in ("rules", "rules+model"):
        cells = [
            f"{kind} {means[f'{base}, full', kind]:.0f} -> {means[f'{base}, first pass', kind]:.0f}"
            for kind in kinds
            if (f"{base}, full", kind) in means
        ]
        print(f"  {base:<12} " + ";  ".join(cells))

    report_quality("corpus, rules only", rules_only, corpus)
    report_quality(
        "corpus, rules + model (in-sample: the model was trained on the corpus)", detector, corpus
    )
    if model is not None:
        report_cv(model)
    print("\nblind-set figures: python bench/crisis_blind.py (scores the latest blind set)")


if __name__ == "__main__":
    main()
