"""The detector's first pass: cheap checks that let ordinary messages skip the costly stages.

Pure Python (no discord, no database). Most messages are ordinary chat, and the full detector
spends most of its time proving it: every rule's regex over the text, then the model's
n-grams term by term, then (for one message in five) all of that again over the person's
last few messages read together. Two checks skip that work, each only where it provably
changes nothing, so the verdict is the one the full detector gives, field for field:

- `RuleFilter`: every rule's regex needs some literal strings to match at all
  (`literals.required_literals`: "kil" and one of "me", "myself"... for "kill myself"). One
  scan of the normalised text finds which of them are there, and only the rules that have
  all they need run; a message with none gets the rules' empty verdict without any regex.
- `quick_scores`: the model's two logits summed mostly in C loops and per word from a
  cache (`quick_model.QuickScorer`) rather than term by term. The sums differ from the full
  computation only by floating-point rounding (below 1e-12 on these logits; `EPSILON` allows
  1e-8), so when both scores are that far from every policy threshold and from every
  rounding step of the 4-decimal scores the verdict records, they give the same level and
  the same recorded scores; otherwise the full model runs.

The context pass (the person's recent messages read together) goes through the same two
checks; `RecentMessages` is fed by the cog whatever the first pass decides.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

from cogs.crisis.literals import required_literals, trie_pattern
from cogs.crisis.model import sigmoid
from cogs.crisis.quick_model import QuickScorer

__all__ = ["EPSILON", "RuleFilter", "quick_not_crisis", "quick_scores"]

EPSILON = 1e-8
"""How far apart the quick and the full logits may be, at most (the real gap is below 1e-10)."""

_SCORE_DECIMALS = 4  # the verdict records the model's scores rounded to this many decimals

T = TypeVar("T")


class RuleFilter:
    """Which rules can match a normalised text at all, from the literals their patterns need.

    A rule can match only where one of its patterns can, and a pattern only where each of its
    clauses (`literals.required_literals`) has a member; a pattern with no known clause
    makes its rule run on every text. One regex scan finds the members of every pattern's
    first (most selective) clause; the patterns it leaves have their other clauses checked.
    """

    def __init__(self, rules: Sequence[Sequence[str]]) -> None:
        """``rules``: per rule, in order, the regex sources of its patterns."""
        keys: dict[frozenset[str], int] = {}  # each distinct first clause gets one bit
        self._by_key: dict[int, list[tuple[tuple[frozenset[str], ...], int]]] = {}
        self._always = 0  # rules with a pattern that needs nothing in particular
        for index, patterns in enumerate(rules):
            for pattern in patterns:
                clauses = required_literals(pattern)
                if not clauses:
                    self._always |= 1 << index
                    continue
                key = keys.setdefault(clauses[0], 1 << len(keys))
                self._by_key.setdefault(key, []).append((clauses[1:], 1 << index))
        owners: dict[str, int] = {}  # literal -> bit set of the first clauses it is in
        for clause, bit in keys.items():
            for literal in clause:
                owners[literal] = owners.get(literal, 0) | bit
        # The scan reports the longest literal starting at each position; every shorter one
        # starting there is a prefix of it, so it stands for their clauses too.
        self._keys_of = {
            literal: _union(owners.get(literal[:size], 0) for size in range(1, len(literal) + 1))
            for literal in owners
        }
        self._scan = re.compile(f"(?=({trie_pattern(owners)}))") if owners else None
        self.literals = len(owners)

    @classmethod
    @functools.cache
    def cached(cls, rules: tuple[tuple[str, ...], ...]) -> RuleFilter:
        """One filter per rules file and process (building one takes a fraction of a second)."""
        return cls(rules)

    def candidates(self, text: str) -> int:
        """The rules (bit ``i`` for the i-th) that could match the normalised ``text``."""
        chosen = self._always
        if self._scan is None:
            return chosen
        keys = _union(map(self._keys_of.__getitem__, set(self._scan.findall(text))))
        while keys:
            key = keys & -keys  # the lowest bit left
            keys ^= key
            for others, rule in self._by_key[key]:
                if not chosen & rule and all(_any_in(clause, text) for clause in others):
                    chosen |= rule
        return chosen

    def select(self, rules: Sequence[T], text: str) -> Sequence[T]:
        """The rules that could match ``text``, in their order."""
        chosen = self.candidates(text)
        if not chosen:
            return ()
        return [rule for index, rule in enumerate(rules) if chosen >> index & 1]


def _any_in(clause: frozenset[str], text: str) -> bool:
    return any(map(text.__contains__, clause))


def _union(bits: Iterable[int]) -> int:
    return functools.reduce(operator.or_, bits, 0)


def quick_scores(scorer: QuickScorer, text: str) -> tuple[float, float] | None:
    """The model's (risky, crisis) scores rounded as the verdict records them, when the quick
    logits prove the full model would say none to a message the rules left at none and
    record exactly these scores; ``None`` when it is too close to call (run the full model)."""
    policy = scorer.model.policy
    risky, crisis = (sigmoid(z) for z in scorer.decisions(text))
    if not (_below(risky, policy.concern) and _below(crisis, policy.crisis)):
        return None
    if _near_rounding_step(risky) or _near_rounding_step(crisis):
        return None
    return round(risky, _SCORE_DECIMALS), round(crisis, _SCORE_DECIMALS)


def quick_not_crisis(scorer: QuickScorer, text: str) -> bool:
    """Whether the full model's crisis score for ``text`` is surely below ``policy.crisis``
    (from an upper bound of it): with the rules at none, the text then cannot read as
    crisis."""
    return _below(sigmoid(scorer.crisis_bound(text)), scorer.model.policy.crisis)


# A logit off by at most EPSILON moves the probability by at most EPSILON / 4 (the slope of
# the sigmoid); _SLACK adds the rounding of the sigmoid and of the comparisons themselves.
_SLACK = EPSILON / 4 + 1e-12


def _below(probability: float, threshold: float) -> bool:
    return probability < threshold - _SLACK


def _near_rounding_step(probability: float) -> bool:
    """Whether rounding to the recorded decimals could go either way within the slack."""
    scaled = probability * 10**_SCORE_DECIMALS
    distance = abs(scaled - math.floor(scaled) - 0.5)  # from the half-way point, in steps
    return distance <= _SLACK * 10**_SCORE_DECIMALS + 1e-9
