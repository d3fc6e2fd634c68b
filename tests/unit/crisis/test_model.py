"""The learned model: the model file, pure-Python parity with scikit-learn, the policy.

config/crisis_model.json is written by tools/train_crisis_model.py from
tests/data/crisis_corpus.jsonl and tests/data/crisis_training.jsonl. It scores each message
as risky and as crisis; ``cogs.crisis.policy.decide`` turns those scores and the rules' level
into one level (the model can raise a level, never lower it).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cogs.crisis.detector import (
    CONTEXT_GATE,
    CONTEXT_REASON,
    MODEL_CRISIS,
    MODEL_REASON,
    Detector,
    Verdict,
    classify,
    load_detector,
)
from cogs.crisis.model import DEFAULT_MODEL_PATH, CrisisModel, Policy, load_model
from cogs.crisis.policy import decide
from cogs.crisis.rules import DEFAULT_RULES_PATH
from config.resources import DataFileError

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data"
TRAINING_FILES = [DATA / "crisis_corpus.jsonl", DATA / "crisis_training.jsonl"]
RETRAIN = "python tools/train_crisis_model.py (needs scikit-learn: pip install -e '.[dev]')"

# Risky wording the rules do not know; the model scores it as risky, not as crisis.
RISKY_UNKNOWN_TO_RULES = "i cant keep going like this, im exhausted of life"
MODEL_LABEL = "Wording often seen in messages from people in distress (model)"


def _corpus() -> list[dict[str, str]]:
    with TRAINING_FILES[0].open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _document() -> dict:
    return json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))


def _with(document: dict, **heads: float) -> CrisisModel:
    changed = copy.deepcopy(document)
    for name, intercept in heads.items():
        changed["heads"][name]["intercept"] = intercept
    return CrisisModel(changed)


@pytest.fixture(scope="module")
def rules_only() -> Detector:
    return Detector(DEFAULT_RULES_PATH)


# --- the model file -------------------------------------------------------------------


def test_model_file_is_small_and_complete() -> None:
    assert DEFAULT_MODEL_PATH.stat().st_size < 3_000_000
    document = _document()
    assert document["format"] == "lantern-crisis-model" and document["version"] == 2
    assert document["created"]
    assert set(document["heads"]) == {"risky", "crisis"}
    assert {v["analyzer"] for v in document["vectorizers"]} == {"char_wb", "word"}
    for vectorizer in document["vectorizers"]:
        assert vectorizer["min_df"] >= 2
        assert len(vectorizer["terms"]) <= vectorizer["max_features"]
    cv = document["cv"]
    assert cv["folds"] == 5
    both = cv["rules_and_model"]
    assert both["crisis_recall"] >= cv["rules_only"]["crisis_recall"]
    assert 0.0 < both["none_flagged"] < 0.2
    policy = document["policy"]
    assert 0 < policy["concern"] < 1 and 0 < policy["crisis"] < 1
    assert policy["context"] >= policy["crisis"]


def test_model_was_trained_on_the_current_data() -> None:
    model = load_model()
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in TRAINING_FILES)).hexdigest()
    assert model.corpus_sha256 == digest, (
        "the training data (tests/data/crisis_corpus.jsonl, crisis_training.jsonl) "
        f"changed since config/crisis_model.json was trained; retrain it: {RETRAIN}"
    )
    size = sum(1 for p in TRAINING_FILES for line in p.read_text().splitlines() if line.strip())
    assert model.corpus_size == size, f"retrain: {RETRAIN}"


def test_training_data_keeps_provenance() -> None:
    with TRAINING_FILES[1].open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for row in rows:
        assert set(row) == {"text", "label", "category", "lang", "source"}, row
        assert row["label"] in ("crisis", "concern", "none") and row["source"]
    assert len({row["text"] for row in rows}) == len(rows), "duplicate training lines"


def test_policy_is_read_from_the_file() -> None:
    document = _document()
    assert load_model().policy.to_json() == document["policy"]
    risky, crisis = load_model().scores(RISKY_UNKNOWN_TO_RULES)
    assert crisis < document["policy"]["crisis"] <= document["policy"]["context"]
    for threshold, level in ((risky + 0.001, "none"), (risky - 0.001, "concern")):
        changed = copy.deepcopy(document)
        changed["policy"]["concern"] = threshold
        model = CrisisModel(changed)
        assert model.policy.concern == threshold
        assert Detector(DEFAULT_RULES_PATH, model).classify(RISKY_UNKNOWN_TO_RULES).level == level


@pytest.mark.parametrize(
    "change",
    [
        {"format": "other"},
        {"version": 1},
        {"policy": None},
        {"policy": {"concern": 1.5, "crisis": 0.9, "raise_concern": 0.9, "context": 0.9}},
        {"policy": {"concern": 0.5}},
        {"heads": {"risky": {"intercept": 0.0}}},
        {"vectorizers": []},
        {"heads": {"risky": {"intercept": "x"}, "crisis": {"intercept": 0.0}}},
    ],
)
def test_a_broken_model_file_is_refused(change: dict, tmp_path: Path) -> None:
    document = _document()
    document.update(change)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DataFileError):
        CrisisModel.from_path(path)
    with pytest.raises(DataFileError):
        CrisisModel.from_path(tmp_path / "missing.json")


def test_a_term_with_the_wrong_number_of_coefficients_is_refused() -> None:
    document = _document()
    terms = document["vectorizers"][0]["terms"]
    terms[next(iter(terms))] = [1.0, 0.5]
    with pytest.raises(DataFileError, match="coefficients"):
        CrisisModel(document)


# --- the policy (pure) ----------------------------------------------------------------

POLICY = Policy({"concern": 0.5, "crisis": 0.9, "raise_concern": 0.7, "context": 0.95})


@pytest.mark.parametrize(
    ("rules", "risky", "crisis", "want"),
    [
        ("crisis", 0.0, 0.0, ("crisis", None)),  # the model never lowers a level
        ("concern", 0.99, 0.69, ("concern", None)),
        ("concern", 0.2, 0.7, ("crisis", MODEL_CRISIS)),
        ("none", 0.2, 0.9, ("crisis", MODEL_CRISIS)),
        ("none", 0.2, 0.89, ("none", None)),
        ("none", 0.5, 0.89, ("concern", MODEL_REASON)),
        ("none", 0.49, 0.0, ("none", None)),
    ],
)
def test_decide(rules: str, risky: float, crisis: float, want: tuple) -> None:
    assert decide(rules, risky, crisis, POLICY) == want  # type: ignore[arg-type]


# --- parity with scikit-learn ---------------------------------------------------------


def test_pure_python_matches_scikit_learn() -> None:
    pytest.importorskip("sklearn")
    from tools.train_crisis_model import FORMAT, FORMAT_VERSION, Fitted, export, load_training

    texts, labels = load_training(TRAINING_FILES)
    fitted = Fitted(texts, labels)
    policy = {"concern": 0.5, "crisis": 0.9, "raise_concern": 0.9, "context": 0.9}
    document = {"format": FORMAT, "version": FORMAT_VERSION, "policy": policy, **export(fitted)}
    model = CrisisModel(document)
    odd = [
        "I WANT TO DIE   now\t\tplease",
        "a",
        "ok",
        "😭" * 50,
        "ñandú CAFÉ Straße",
        "\x00\x01\ud800 broken surrogate",
        "i want to die " * 300,
        "  leading and trailing spaces  ",
    ]
    sample = texts[::25] + odd
    assert len(sample) >= 50
    expected = fitted.scores(sample)
    for text, (risky, crisis) in zip(sample, expected, strict=True):
        got = model.scores(text)
        assert got[0] == pytest.approx(risky, abs=1e-6), text
        assert got[1] == pytest.approx(crisis, abs=1e-6), text
    # The shipped file is this fit when the scikit-learn version is the one it records.
    import sklearn

    if _document()["training"]["sklearn"] == sklearn.__version__:
        shipped = load_model()
        for text, want in zip(sample, expected, strict=True):
            assert shipped.scores(text) == pytest.approx(want, abs=1e-6), RETRAIN


def test_policy_choice_keeps_the_false_alarm_budgets() -> None:
    pytest.importorskip("sklearn")
    from tools import train_crisis_model as train

    # 100 harmless messages scoring 0.00..0.99 on both heads, 50 crisis ones at 0.995, 50
    # concern ones at 0.6; the rules flag nothing.
    none = [(i / 100, i / 100) for i in range(100)]
    scores = none + [(0.995, 0.995)] * 50 + [(0.6, 0.6)] * 50
    labels = ["none"] * 100 + ["crisis"] * 50 + ["concern"] * 50
    levels = ["none"] * 200
    policy = train.choose_policy(levels, scores, labels, joined=[0.1] * 100)
    figures = train.evaluate(levels, scores, labels, policy)
    assert figures["none_crisis"] <= train.MAX_NONE_CRISIS
    assert figures["none_flagged"] <= train.MAX_NONE_FLAGGED
    assert figures["crisis_recall"] == 1.0  # above the one threshold the budget allows
    assert policy.context >= policy.crisis


# --- in the detector ------------------------------------------------------------------


def test_model_upgrades_a_rules_none_to_concern(rules_only: Detector) -> None:
    assert rules_only.classify(RISKY_UNKNOWN_TO_RULES).level == "none"
    verdict = classify(RISKY_UNKNOWN_TO_RULES)
    assert verdict.level == "concern"
    assert verdict.decided_by == "model"
    assert 0.35 <= verdict.score < 0.7
    assert verdict.model is not None and verdict.model[0] >= load_model().policy.concern
    assert [reason.to_json() for reason in verdict.reasons] == [
        {
            "rule": MODEL_REASON,
            "category": "model",
            "label": MODEL_LABEL,
            "level": "concern",
            "span": [0, len(RISKY_UNKNOWN_TO_RULES)],
            "text": RISKY_UNKNOWN_TO_RULES,
            "modifiers": [],
            "score": verdict.model[0],
        }
    ]


def test_a_confident_model_raises_to_crisis_and_never_lowers() -> None:
    document = _document()
    sure = Detector(DEFAULT_RULES_PATH, _with(document, crisis=50.0))
    verdict = sure.classify("good morning everyone")
    assert verdict.level == "crisis" and verdict.decided_by == "model"
    assert [r.rule for r in verdict.reasons] == [MODEL_CRISIS]
    assert verdict.score >= 0.7
    # A rules concern is raised too, its own reason kept beneath the model's.
    raised = sure.classify("i give up")
    assert raised.level == "crisis" and raised.reasons[0].rule == MODEL_CRISIS
    assert len(raised.reasons) >= 2
    # A model sure of nothing leaves the rules' verdicts as they are.
    unsure = Detector(DEFAULT_RULES_PATH, _with(document, risky=-50.0, crisis=-50.0))
    for text, level in (("i want to die", "crisis"), ("i give up", "concern"), ("hi", "none")):
        verdict = unsure.classify(text)
        assert verdict.level == level and verdict.decided_by in ("rules", "none"), text
        assert all(r.category != "model" for r in verdict.reasons)


def test_context_reads_a_goodbye_spread_over_messages() -> None:
    detector = Detector(DEFAULT_RULES_PATH)  # rules alone: the model cannot move the result
    earlier = ["gave my guitar to my brother today"]
    alone = detector.classify("where im going i wont need it")
    assert alone.level != "crisis"
    verdict = detector.classify("where im going i wont need it", context=earlier)
    assert verdict.level == "crisis" and verdict.decided_by == "context"
    assert verdict.reasons[0].rule == CONTEXT_REASON
    # Harmless neighbours change nothing.
    calm = detector.classify("see you all thursday", context=["group was good today"])
    assert calm.level == "none"


def test_context_is_read_only_when_the_message_alone_carries_some_risk() -> None:
    earlier = ["gave my guitar to my brother today"]
    unsure = Detector(DEFAULT_RULES_PATH, _with(_document(), risky=-50.0, crisis=-50.0))
    assert unsure.classify("where im going i wont need it", context=earlier).level == "none"
    wary = Detector(DEFAULT_RULES_PATH, _with(_document(), risky=-1.0, crisis=-50.0))
    verdict = wary.classify("where im going i wont need it", context=earlier)
    assert verdict.model is not None and verdict.model[0] >= CONTEXT_GATE
    assert verdict.level == "crisis" and verdict.decided_by == "context"


def test_context_needs_the_higher_threshold_when_only_the_model_speaks() -> None:
    document = _document()
    document["policy"]["context"] = 0.99
    document["heads"]["crisis"]["intercept"] = 0.0  # scores near 0.5: below 0.99
    document["policy"]["crisis"] = 0.98
    detector = Detector(DEFAULT_RULES_PATH, CrisisModel(document))
    verdict = detector.classify("ok", context=["fine", "whatever"])
    assert verdict.level != "crisis"


def test_model_respects_nothing_it_should_not_see() -> None:
    """Cancelled cues (past, negation, idiom) are judged by the model like any message:
    trained on those near-misses, it keeps them below its thresholds."""
    detector = load_detector()
    for text in (
        "ive been killing myself at the gym lol",
        "I would never hurt myself",
        "I used to want to die, two years clean now",
    ):
        verdict = detector.classify(text)
        assert verdict.level == "none" and verdict.suppressed, text


def test_figures_of_speech_in_the_corpus_stay_none() -> None:
    detector = load_detector()
    rows = [
        row
        for row in _corpus()
        if row["label"] == "none"
        and row.get("note", "")
        in {"figurative", "es-figurative", "game", "lyrics", "news", "negation", "past"}
    ]
    assert len(rows) >= 50
    flagged = [row["text"] for row in rows if detector.classify(row["text"]).flagged]
    assert flagged == []


def test_rules_only_detector_has_no_model(rules_only: Detector) -> None:
    assert rules_only.model is None
    assert Detector(DEFAULT_RULES_PATH, DEFAULT_MODEL_PATH).model is not None


def test_a_failing_model_leaves_the_rules_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    detector = Detector(DEFAULT_RULES_PATH, CrisisModel(_document()))

    def boom(text: str) -> tuple[float, float]:
        raise RuntimeError("boom")

    monkeypatch.setattr(detector.model, "scores", boom)
    verdict = detector.classify(RISKY_UNKNOWN_TO_RULES)
    assert verdict == Verdict("none", 0.0)


def test_model_is_fast() -> None:
    model = CrisisModel(_document())  # a fresh one: no warm word cache
    texts = [row["text"] for row in _corpus()]
    started = time.perf_counter()
    for text in texts:
        model.score(text)
    per_message = (time.perf_counter() - started) / len(texts)
    assert per_message < 0.002, f"{per_message * 1e3:.3f} ms per short message"
    long = " ".join(texts)[:4000]
    started = time.perf_counter()
    model.score(long + " fresh")
    assert time.perf_counter() - started < 0.05


def test_cli_classify_shows_the_model_reason(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "classify"],
        cwd=tmp_path,
        input=f"{RISKY_UNKNOWN_TO_RULES}\ngood morning everyone\n",
        env={k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    risky, fine = (json.loads(line) for line in result.stdout.splitlines())
    assert risky["reasons"][0].pop("score") >= load_model().policy.concern
    assert risky["level"] == "concern"
    assert [r["rule"] for r in risky["reasons"]] == [MODEL_REASON]
    assert risky["reasons"][0]["label"] == MODEL_LABEL
    assert fine == {"level": "none", "score": 0.0, "reasons": []}
