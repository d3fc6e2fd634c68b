"""The detector's first pass, piece by piece (the whole, on every labelled message, is in
tests/unit/test_detector_first_pass.py): required literals, the rule filter, the quick
model sums and bound, and when quick scores are too close to call."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cogs.crisis.detector import Detector
from cogs.crisis.first_pass import EPSILON, RuleFilter, quick_not_crisis, quick_scores
from cogs.crisis.literals import required_literals, trie_pattern
from cogs.crisis.model import CrisisModel, sigmoid
from cogs.crisis.quick_model import QuickScorer
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


# --- quick model sums and bound ---------------------------------------------------------------


@pytest.fixture(scope="module")
def scorer(detector: Detector) -> QuickScorer:
    assert detector.model is not None
    return QuickScorer(detector.model)


def _samples() -> list[str]:
    texts = _texts("crisis_corpus.jsonl") + _texts("crisis_training.jsonl")[::4]
    joined = [" \n".join(texts[i : i + 5]) for i in range(0, 600, 3)]
    return [*texts, *joined, " ".join(texts[:80])[:4000], "", "   ", "ok", "ok ok ok ok"]


def test_quick_logits_equal_the_models_up_to_rounding(scorer: QuickScorer) -> None:
    model = scorer.model
    worst = max(
        max(abs(a - b) for a, b in zip(scorer.decisions(t), model.decisions(t), strict=True))
        for t in _samples()
    )
    assert worst < EPSILON / 100


def test_crisis_bound_is_never_below_the_crisis_logit(scorer: QuickScorer) -> None:
    gaps = [scorer.crisis_bound(t) - scorer.model.decisions(t)[1] for t in _samples()]
    assert min(gaps) > -EPSILON / 100
    assert sum(gaps) / len(gaps) < 4.0  # and close enough to be useful


# --- too close to call ---------------------------------------------------------------------------


def _stub(risky: float, crisis: float, model: CrisisModel) -> Any:
    """A scorer whose quick logits give exactly these probabilities."""

    def logit(p: float) -> float:
        return math.log(p / (1.0 - p))

    return SimpleNamespace(
        model=model,
        decisions=lambda text: (logit(risky), logit(crisis)),
        crisis_bound=lambda text: logit(crisis),
    )


def test_quick_scores_are_given_only_far_from_thresholds_and_rounding_steps(
    detector: Detector,
) -> None:
    model = detector.model
    assert model is not None
    policy = model.policy
    assert quick_scores(_stub(0.12341, 0.05, model), "x") == (0.1234, 0.05)
    assert quick_scores(_stub(policy.concern, 0.05, model), "x") is None  # at a threshold
    assert quick_scores(_stub(0.1, policy.crisis - 1e-10, model), "x") is None  # within slack
    assert quick_scores(_stub(0.12345, 0.05, model), "x") is None  # rounding could go up
    assert quick_scores(_stub(0.1, 0.0500499999999, model), "x") is None
    assert quick_not_crisis(_stub(0.1, policy.crisis - 0.01, model), "x")
    assert not quick_not_crisis(_stub(0.1, policy.crisis, model), "x")
    assert sigmoid(0.0) == 0.5
