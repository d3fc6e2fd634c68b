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
- `ScoreBounds`: numbers the model's two scores are surely not below and not above, from
  cheap bounds of its logits (`model_bounds.ModelBounds`). When the upper ones are below the
  policy's thresholds (with `SLACK` to spare for floating-point rounding), the model cannot
  raise the rules' none, so it does not run; the verdict's scores are worked out only if
  something reads them (an alert forced by a caller records them), by the model itself.
  When the risky score is surely below the context gate, the person's earlier messages
  need not be read; when it is surely above, they are read without the exact score.

The context pass (the person's recent messages read together) goes through the same two
checks; `RecentMessages` is fed by the cog whatever the first pass decides.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cogs.crisis.literals import required_literals, trie_pattern
from cogs.crisis.model import Policy, sigmoid
from cogs.crisis.model_bounds import ModelBounds

__all__ = ["SLACK", "RuleFilter", "ScoreBounds", "above", "below"]

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


@dataclass(frozen=True, slots=True)
class ScoreBounds:
    """Probabilities the model's (risky, crisis) scores are surely not below, and not above."""

    low: tuple[float, float]
    high: tuple[float, float]

    @classmethod
    def of(cls, bounds: ModelBounds, text: str) -> ScoreBounds:
        low, high = bounds.logits(text)
        return cls((sigmoid(low[0]), sigmoid(low[1])), (sigmoid(high[0]), sigmoid(high[1])))

    def none_for_sure(self, policy: Policy) -> bool:
        """Whether the model surely leaves a rules none at none (policy.decide)."""
        return below(self.high[0], policy.concern) and below(self.high[1], policy.crisis)


def below(upper: float, threshold: float) -> bool:
    """Whether a score at most ``upper`` is surely below ``threshold``, rounding allowed for."""
    return upper < threshold - SLACK


def above(lower: float, threshold: float) -> bool:
    """Whether a score at least ``lower`` is surely above ``threshold``, rounding allowed for."""
    return lower > threshold + SLACK


SLACK = 1e-9
"""Room for floating-point rounding: the bounds and the model add the same products in other
orders, which moves a logit by far less than 1e-12."""
