"""The detector's first pass, piece by piece (the whole, on every labelled message, is in
tests/unit/test_detector_first_pass.py): required literals, the rule filter, the model's
bounds, and the scores a verdict works out only when read."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from cogs.crisis.detector import Detector, Verdict
from cogs.crisis.first_pass import SLACK, RuleFilter, ScoreBounds, above, below
from cogs.crisis.literals import required_literals, trie_pattern
from cogs.crisis.model import DEFAULT_MODEL_PATH, CrisisModel, sigmoid
from cogs.crisis.model_bounds import ModelBounds
from cogs.crisis.rules import load_rules, pattern_source

DATA = Path(__file__).resolve().parents[2] / "data"


def _satisfied(clauses: tuple[frozenset[str], ...], text: str) -> bool:
    return all(any(member in text for member in clause) for clause in clauses)


def _texts(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


# --- required literals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        (r"\bkill? myself\b", "i want to kil myself", "i want to kill them"),
        (r"\bwish(?:ed)? i (?:was|were) dead\b", "i wished i were dead", "i wish i were home"),
        (r"\b(?:pills|benzos)\b.{0,20}\btonight\b", "benzos lined up tonight", "pills at noon"),
        (r"\bsi\s*[:=-]\s*(?:yes|y)\b", "mood 3 si: yes", "we visited my sister"),
    ],
)
def test_required_literals_let_matches_through_and_stop_others(
    pattern: str, matching: str, not_matching: str
) -> None:
    clauses = required_literals(pattern)
    assert clauses, "a pattern with fixed words needs some of them"
    assert re.search(pattern, matching)
    assert _satisfied(clauses, matching)
    assert not _satisfied(clauses, not_matching)


@pytest.mark.parametrize("pattern", [r"\w+", r".{3}", r"[^a]+", r"(?i)kill", r"x?", r"(a|)\w"])
def test_patterns_that_need_no_particular_literal_get_no_clause(pattern: str) -> None:
    assert required_literals(pattern) == ()  # (): always run this pattern


def test_case_insensitive_parts_are_never_trusted() -> None:
    for clause in required_literals(r"(?i:kill) myself"):
        assert all("kill" not in member.lower() for member in clause)
    assert required_literals(r"(?i)kill myself") == ()


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    pieces: list[str] = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.35:
            pieces.append("".join(rng.choice("abc ") for _ in range(rng.randint(1, 3))))
        elif kind < 0.5 and depth < 2:
            alternatives = [_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3))]
            pieces.append(
                "(?:" + "|".join(alternatives) + ")" + rng.choice(["", "?", "+", "{1,2}"])
            )
        elif kind < 0.6:
            pieces.append(rng.choice([r"\b", r"\s*", r".{0,2}", r"\w", "[ab]", "[^a]", r"(?=a)"]))
        elif kind < 0.7:
            pieces.append(rng.choice(["a", "b", "c"]) + rng.choice(["?", "*", "+", "{2}", "{0,3}"]))
        else:
            pieces.append(rng.choice(["ab", "ca", "bb", " c"]))
    return "".join(pieces)


def test_required_literals_never_lose_a_match_on_random_patterns() -> None:
    rng = random.Random(20260302)
    texts = ["".join(rng.choice("abc ") for _ in range(rng.randint(0, 12))) for _ in range(400)]
    checked = 0
    for _ in range(600):
        pattern = _random_pattern(rng)
        compiled = re.compile(pattern)
        clauses = required_literals(pattern)
        for text in texts:
            if compiled.search(text):
                checked += 1
                assert _satisfied(clauses, text), (pattern, text, clauses)
    assert checked > 10_000


def test_trie_pattern_finds_the_longest_word_at_each_position() -> None:
    scan = re.compile(f"(?=({trie_pattern(['kil', 'kill me', 'kms', 'a.b', 'ki'])}))")
    assert scan.findall("kill you, kill me, kms, a.b, axb") == ["kil", "kill me", "kms", "a.b"]
    with pytest.raises(ValueError):
        trie_pattern(["ok", ""])


# --- the rule filter --------------------------------------------------------------------------


def test_rule_filter_keeps_the_rules_that_can_match() -> None:
    rules = [[r"\bkill? myself\b"], [r"\bsad\b", r"\bdown\b"], [r"\w+"]]
    chosen = RuleFilter(rules)
    names = ["kill", "sad", "anything"]
    assert chosen.select(names, "i will kill myself") == ["kill", "anything"]
    assert chosen.select(names, "feeling down") == ["sad", "anything"]
    assert chosen.select(["kill", "sad"], "hello") == []
    assert RuleFilter([[r"\bkill? myself\b"]]).select(["kill"], "hello there") == ()


def test_every_rule_example_passes_the_filter_of_the_shipped_rules(detector: Detector) -> None:
    rules = load_rules()
    chosen = RuleFilter(
        [[pattern_source(p, rules.macros, r.id) for p in r.patterns] for r in rules.rule]
    )
    ids = [r.id for r in rules.rule]
    for rule in rules.rule:
        for example in rule.examples:
            text = detector.normalise(example).text
            if detector.rule_matches(rule.id, example):
                assert rule.id in chosen.select(ids, text), (rule.id, example)


# --- model bounds ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bounds(detector: Detector) -> ModelBounds:
    assert detector.model is not None
    return ModelBounds(detector.model)


def _samples() -> list[str]:
    texts = _texts("crisis_corpus.jsonl") + _texts("crisis_training.jsonl")[::4]
    joined = [" \n".join(texts[i : i + 5]) for i in range(0, 600, 3)]
    return [*texts, *joined, " ".join(texts[:80])[:4000], "", "   ", "ok", "ok ok ok ok"]


def test_logit_bounds_hold_the_models_logits(bounds: ModelBounds) -> None:
    short_gaps: list[float] = []
    for text in _samples():
        (low, high), exact = bounds.logits(text), bounds.model.decisions(text)
        for head in (0, 1):
            assert low[head] - SLACK <= exact[head] <= high[head] + SLACK, (head, low, high)
        if len(text) <= 120:
            short_gaps.append(high[0] - low[0])
    assert sum(short_gaps) / len(short_gaps) < 0.5  # and close enough to be useful


def test_score_bounds_settle_only_with_room_to_spare(detector: Detector) -> None:
    assert detector.model is not None
    policy = detector.model.policy
    assert ScoreBounds((0.0, 0.0), (0.5, 0.5)).none_for_sure(policy)
    assert not ScoreBounds((0.0, 0.0), (policy.concern, 0.1)).none_for_sure(policy)
    assert not ScoreBounds((0.0, 0.0), (0.1, policy.crisis - SLACK / 2)).none_for_sure(policy)
    assert below(0.1, 0.2) and not below(0.2 - SLACK / 2, 0.2)
    assert above(0.3, 0.2) and not above(0.2 + SLACK / 2, 0.2)
    assert sigmoid(0.0) == 0.5


# --- scores left for later ----------------------------------------------------------------------


def test_scores_left_for_later_are_the_models(detector: Detector) -> None:
    assert detector.model is not None
    full = Detector(load_rules(), detector.model, first_pass=False)
    text = "does anyone know if we meet on thursday or friday this week?"
    verdict = detector.classify(text)
    assert callable(verdict._model)  # not worked out yet
    assert verdict.model == full.classify(text).model
    assert verdict._model == verdict.model  # worked out once
    assert verdict == full.classify(text)
    assert repr(verdict) == repr(full.classify(text))


def test_a_model_failing_later_leaves_no_scores(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    detector = Detector(load_rules(), CrisisModel.from_path(DEFAULT_MODEL_PATH))
    verdict = detector.classify("made it to work on time today, small win")
    assert detector.model is not None

    def boom(text: str) -> tuple[float, float]:
        raise RuntimeError("boom")

    monkeypatch.setattr(detector.model, "scores", boom)
    assert verdict.model is None
    assert verdict == Verdict("none", 0.0)
    assert "crisis model failed" in caplog.text
