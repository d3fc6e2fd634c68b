"""Train the crisis detector's model and export it to config/crisis_model.json.

A dev tool (needs scikit-learn: ``pip install -e '.[dev]'``); the bot reads the JSON with
pure Python (cogs/crisis/model.py) and never imports scikit-learn.

The model: TF-IDF over character n-grams (``char_wb``, 2-5) and words (1-2 grams), each
l2-normalised and concatenated (``make_union``), then two logistic regressions on the same
features: ``risky`` (crisis or concern against none) and ``crisis`` (crisis against the rest).

The detector combines them with the rules through ``cogs.crisis.policy.decide``. Its
thresholds come from 5-fold stratified cross-validation of that whole decision: every training
message is judged by the rules and by a model that never saw it, and the thresholds are the
ones that catch the most crisis messages at crisis level while, out of fold, the model adds
at most ``MAX_NONE_CRISIS`` of harmless messages at crisis level and at most
``MAX_NONE_FLAGGED`` flagged at all, on top of what the rules flag. The context threshold
(several messages read together) is set so that harmless messages joined in threes reach
crisis at most ``MAX_CONTEXT_CRISIS`` of the time.
The exported cross-validated figures are the honest ones for the model; the rules were written
with sight of the corpus, so their part of the figures is optimistic: the blind set
(bench/crisis_blind.py) is the measure.

Run after every change to the training data (tests/unit/crisis/test_model.py checks the hash):
    python tools/train_crisis_model.py            # writes config/crisis_model.json
    python tools/train_crisis_model.py --dry-run  # prints the metrics only
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cogs.crisis.model import FORMAT, FORMAT_VERSION, HEADS, Policy  # noqa: E402
from cogs.crisis.policy import decide  # noqa: E402

DATA = ROOT / "tests" / "data"
CORPUS = DATA / "crisis_corpus.jsonl"
# Labelled messages with provenance (writers, retired blind sets, older extras): the model's
# data; the rules' gate stays on the corpus.
TRAINING = DATA / "crisis_training.jsonl"
OUTPUT = ROOT / "config" / "crisis_model.json"

MAX_NONE_CRISIS = 0.01  # harmless messages the model alone raises to crisis, out of fold
MAX_NONE_FLAGGED = 0.03  # harmless messages the model alone flags, out of fold
MAX_CONCERN_RAISED = 0.05  # concern messages the model alone raises to crisis (pages staff)
MAX_CONTEXT_CRISIS = 0.01  # harmless messages joined in threes that reach crisis
FOLDS = 5
SEED = 20261204
GRID = [round(0.30 + 0.01 * i, 2) for i in range(70)]  # 0.30 .. 0.99
LOGISTIC = {"C": 4.0, "max_iter": 5000}
VECTORIZERS: tuple[dict[str, Any], ...] = (
    {
        "name": "char",
        "analyzer": "char_wb",
        "ngram_range": [2, 5],
        "lowercase": True,
        "sublinear_tf": True,
        "min_df": 2,
        "max_features": 20_000,
    },
    {
        "name": "word",
        "analyzer": "word",
        "ngram_range": [1, 2],
        "lowercase": True,
        "sublinear_tf": True,
        "min_df": 2,
        "max_features": 8_000,
        "token_pattern": r"(?u)\b\w\w+\b",
    },
)


def training_files() -> list[Path]:
    return [CORPUS, *([TRAINING] if TRAINING.exists() else [])]


def load_rows(files: list[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in files:
        with path.open(encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return rows


def load_training(files: list[Path]) -> tuple[list[str], list[str]]:
    rows = load_rows(files)
    return [r["text"] for r in rows], [r["label"] for r in rows]


def corpus_digest(*paths: Path) -> str:
    """sha256 over the training files' bytes, in order (what the model file records)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_features() -> Any:
    """An unfitted union of TF-IDF vectorizers matching cogs/crisis/model.py exactly."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    vectorizers = []
    for spec in VECTORIZERS:
        params = {k: v for k, v in spec.items() if k not in ("name", "ngram_range")}
        vectorizers.append(
            TfidfVectorizer(
                ngram_range=tuple(spec["ngram_range"]),
                norm="l2",
                use_idf=True,
                smooth_idf=True,
                strip_accents=None,
                **params,
            )
        )
    return make_union(*vectorizers)


def targets(labels: list[str]) -> dict[str, list[int]]:
    return {
        "risky": [int(label in ("crisis", "concern")) for label in labels],
        "crisis": [int(label == "crisis") for label in labels],
    }


class Fitted:
    """The features and one logistic regression per head, fitted together."""

    def __init__(self, texts: list[str], labels: list[str]) -> None:
        from sklearn.linear_model import LogisticRegression

        self.features = build_features()
        matrix = self.features.fit_transform(texts)
        self.heads = {
            name: LogisticRegression(**LOGISTIC).fit(matrix, y)
            for name, y in targets(labels).items()
        }

    def scores(self, texts: list[str]) -> list[tuple[float, float]]:
        matrix = self.features.transform(texts)
        risky = self.heads["risky"].predict_proba(matrix)[:, 1]
        crisis = self.heads["crisis"].predict_proba(matrix)[:, 1]
        return [(float(r), float(c)) for r, c in zip(risky, crisis, strict=True)]


def folds(labels: list[str]) -> list[tuple[list[int], list[int]]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return [(list(a), list(b)) for a, b in splitter.split(labels, labels)]


def out_of_fold(
    texts: list[str], labels: list[str]
) -> tuple[list[tuple[float, float]], list[float]]:
    """Out-of-fold (risky, crisis) scores per message, and crisis scores of harmless messages
    joined in threes within each held-out fold (for the context threshold)."""
    scores: list[tuple[float, float]] = [(0.0, 0.0)] * len(texts)
    joined: list[float] = []
    rng = random.Random(SEED)  # noqa: S311 (a reproducible shuffle, not a secret)
    for train, test in folds(labels):
        fitted = Fitted([texts[i] for i in train], [labels[i] for i in train])
        for i, pair in zip(test, fitted.scores([texts[i] for i in test]), strict=True):
            scores[i] = pair
        harmless = [texts[i] for i in test if labels[i] == "none"]
        rng.shuffle(harmless)
        threes = [" ".join(harmless[k : k + 3]) for k in range(0, len(harmless) - 2, 3)]
        joined += [c for _, c in fitted.scores(threes)]
    return scores, joined


def rules_levels(texts: list[str]) -> list[str]:
    from cogs.crisis.detector import Detector
    from cogs.crisis.rules import DEFAULT_RULES_PATH

    rules = Detector(DEFAULT_RULES_PATH)
    return [rules.classify(text).level for text in texts]


def evaluate(
    levels: list[str], scores: list[tuple[float, float]], labels: list[str], policy: Policy
) -> dict[str, Any]:
    """Confusion counts and rates of the whole decision with ``policy``."""
    counts: Counter[tuple[str, str]] = Counter()
    for rules, (risky, crisis), label in zip(levels, scores, labels, strict=True):
        got, _ = decide(rules, risky, crisis, policy)  # type: ignore[arg-type]
        counts[label, got] += 1

    def rate(label: str, gots: tuple[str, ...]) -> float:
        total = sum(counts[label, g] for g in ("crisis", "concern", "none"))
        return round(sum(counts[label, g] for g in gots) / total, 4) if total else 0.0

    return {
        "crisis_recall": rate("crisis", ("crisis",)),
        "crisis_flagged": rate("crisis", ("crisis", "concern")),
        "concern_flagged": rate("concern", ("crisis", "concern")),
        "none_flagged": rate("none", ("crisis", "concern")),
        "none_crisis": rate("none", ("crisis",)),
        "confusion": {f"{a}->{b}": n for (a, b), n in sorted(counts.items())},
    }


def choose_policy(
    levels: list[str], scores: list[tuple[float, float]], labels: list[str], joined: list[float]
) -> Policy:
    """The thresholds with the best crisis-level recall within the false-alarm budgets."""
    import numpy as np

    rules = np.array(levels)
    crisis = np.array([s[1] for s in scores])
    label = np.array(labels)
    none, is_crisis, is_concern = label == "none", label == "crisis", label == "concern"
    base_crisis, base_concern = rules == "crisis", rules == "concern"
    crisis_budget = base_crisis[none].mean() + MAX_NONE_CRISIS
    flagged_budget = (rules != "none")[none].mean() + MAX_NONE_FLAGGED
    raised_budget = base_crisis[is_concern].mean() + MAX_CONCERN_RAISED
    best: tuple[float, float, float] | None = None
    for t_crisis in GRID:
        for t_raise in GRID:
            got_crisis = (
                base_crisis
                | (base_concern & (crisis >= t_raise))
                | ((rules == "none") & (crisis >= t_crisis))
            )
            if (
                got_crisis[none].mean() > crisis_budget
                or got_crisis[is_concern].mean() > raised_budget
            ):
                continue
            key = (got_crisis[is_crisis].mean(), t_crisis, t_raise)
            if best is None or key[0] > best[0]:
                best = key
    if best is None:
        raise SystemExit("no crisis thresholds fit the false-alarm budget")
    _, t_crisis, t_raise = best
    t_concern = GRID[-1]
    for candidate in GRID:
        policy = Policy(
            {"concern": candidate, "crisis": t_crisis, "raise_concern": t_raise, "context": 1.0}
        )
        if evaluate(levels, scores, labels, policy)["none_flagged"] <= flagged_budget:
            t_concern = candidate
            break
    ordered = sorted(joined)
    allowed = int(MAX_CONTEXT_CRISIS * len(ordered))
    worst = ordered[len(ordered) - allowed - 1] if ordered else 0.0
    t_context = max(t_crisis, next((t for t in GRID if t > worst), 0.99))
    return Policy(
        {"concern": t_concern, "crisis": t_crisis, "raise_concern": t_raise, "context": t_context}
    )


def auc(scores: list[float], positive: list[int]) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(positive, scores)), 4)


def export(fitted: Fitted) -> dict[str, Any]:
    """Vectorizer parameters, vocabularies (term -> [idf, coef per head]) and intercepts."""
    coefs = [fitted.heads[name].coef_[0] for name in HEADS]
    vectorizers = []
    offset = 0
    for spec, (_, vectorizer) in zip(VECTORIZERS, fitted.features.transformer_list, strict=True):
        names = vectorizer.get_feature_names_out()
        idf = vectorizer.idf_
        terms = {
            str(name): [float(idf[i]), *(float(c[offset + i]) for c in coefs)]
            for i, name in enumerate(names)
        }
        offset += len(names)
        vectorizers.append({**spec, "norm": "l2", "smooth_idf": True, "terms": terms})
    if offset != len(coefs[0]):
        raise RuntimeError(f"{offset} vocabulary terms but {len(coefs[0])} coefficients")
    heads = {name: {"intercept": float(fitted.heads[name].intercept_[0])} for name in HEADS}
    return {"heads": heads, "vectorizers": vectorizers}


def train(*, cross_validate: bool = True) -> dict[str, Any]:
    """The whole model document (what config/crisis_model.json holds)."""
    import sklearn

    files = training_files()
    rows = load_rows(files)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).date().isoformat(),
        "training": {
            "files": [p.relative_to(ROOT).as_posix() for p in files],
            "sha256": corpus_digest(*files),
            "size": len(texts),
            "labels": dict(sorted(Counter(labels).items())),
            "logistic": LOGISTIC,
            "sklearn": sklearn.__version__,
        },
        "policy": {"concern": 0.5, "crisis": 0.9, "raise_concern": 0.9, "context": 0.95},
        "cv": None,
    }
    if cross_validate:
        scores, joined = out_of_fold(texts, labels)
        levels = rules_levels(texts)
        policy = choose_policy(levels, scores, labels, joined)
        document["policy"] = policy.to_json()
        rules_only = evaluate(levels, [(0.0, 0.0)] * len(texts), labels, policy)
        document["cv"] = {
            "folds": FOLDS,
            "seed": SEED,
            "note": "out-of-fold model scores through the whole decision; the rules were "
            "written with sight of this data, so these figures are optimistic",
            "budget": {"none_crisis": MAX_NONE_CRISIS, "none_flagged": MAX_NONE_FLAGGED},
            "auc_risky": auc([s[0] for s in scores], targets(labels)["risky"]),
            "auc_crisis": auc([s[1] for s in scores], targets(labels)["crisis"]),
            "rules_and_model": evaluate(levels, scores, labels, policy),
            "rules_only": {k: v for k, v in rules_only.items() if k != "confusion"},
            "context_pairs": len(joined),
        }
    document.update(export(Fitted(texts, labels)))
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--dry-run", action="store_true", help="print metrics, write nothing")
    args = parser.parse_args(argv)
    document = train()
    summary = {k: v for k, v in document.items() if k not in ("vectorizers",)}
    summary["features"] = {v["name"]: len(v["terms"]) for v in document["vectorizers"]}
    print(json.dumps(summary, indent=2))
    if not args.dry_run:
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
        args.output.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output} ({len(text.encode()) / 1024:.0f} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
