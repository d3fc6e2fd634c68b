"""The crisis model's logits, computed fast for the detector's first pass (pure Python).

`CrisisModel.decisions` walks a message's vocabulary terms one by one in Python (some 150
character n-grams for a short message). `QuickScorer.decisions` gives the same two logits
with most of that work done by C loops (``map``, ``sum``, ``Counter``) and, for the character
n-grams, per word from a cache: a word's terms and their sums, counted once per occurrence,
then corrected for the terms that occur more than once in the message (the model counts
those ``1 + ln n`` times, not ``n``).

The result equals `decisions` up to floating-point rounding, because it adds the same
products in another order (on the shipped model and data the gap stays below 1e-13; the first
pass allows 1e-8, see first_pass.py). The model itself is untouched.

`QuickScorer.crisis_bound` is cheaper still: an upper bound of the crisis logit, for the
context pass (several messages joined, where many terms repeat and the exact sums cost as
much as the model). For the character n-grams, with ``n`` a term's count in the text, idf
its weight and c its crisis coefficient, the model adds ``tf(n) * idf * c`` over the
terms and divides by the norm ``sqrt(sum(tf(n)^2 * idf^2))``, where ``tf(n) = 1 + ln n``:

- numerator: ``1 <= tf(n) <= n``, so it is at most ``sum(n * idf * c)`` over the terms with
  c > 0 (summed per word from a cache) plus ``sum(idf * c)`` over the distinct terms with
  c < 0;
- norm: at least ``sqrt(sum(idf^2))`` over the distinct terms, at most
  ``sqrt(K * sum(n * idf^2))`` with ``K = max tf(n)^2 / n`` (1.468, at n = 3);
- so the share is at most the numerator's bound divided by the smallest norm when that bound
  is positive, by the largest norm when it is negative.
The word n-grams (a few per message) are summed as in `decisions`.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, compress
from operator import itemgetter, mul, sub

from cogs.crisis.model import CrisisModel, Vectorizer

__all__ = ["QuickScorer"]

_WORDS_CACHED = 8192
_TERMS, _RISKY, _CRISIS, _NORM = (itemgetter(i) for i in range(4))
_IDF, _C_RISKY, _C_CRISIS = (itemgetter(i) for i in range(3))
_DISTINCT, _POSITIVE, _SQUARES = (itemgetter(i) for i in range(3))


def _tf_squared_per_count() -> float:
    """``max(tf(n)^2 / n)`` over n >= 1: (1 + ln x)^2 / x rises up to x = e, then falls."""
    return max((1.0 + math.log(n)) ** 2 / n for n in (1, 2, 3, 4))


_K = _tf_squared_per_count()

WordSums = tuple[tuple[str, ...], float, float, float]
WordBound = tuple[frozenset[str], float, float]


class _TermFrequency(dict[int, float]):
    """n -> a term's tf value when it occurs n times, as the model computes it (memoised)."""

    def __init__(self, sublinear: bool) -> None:
        super().__init__()
        self.sublinear = sublinear

    def __missing__(self, times: int) -> float:
        value = 1.0 + math.log(times) if self.sublinear else float(times)
        self[times] = value
        return value


class _PerTerm(dict[str, float]):
    """term -> a value computed from its (idf, risky, crisis) entry on first use (memoised)."""

    def __init__(
        self, terms: dict[str, tuple[float, ...]], of: Callable[[tuple[float, ...]], float]
    ):
        super().__init__()
        self.terms = terms
        self.of = of

    def __missing__(self, term: str) -> float:
        value = self[term] = self.of(self.terms[term])
        return value


class _CharQuick:
    """A ``char_wb`` vectorizer's share of the logits, summed per word from a cache."""

    def __init__(self, vectorizer: Vectorizer) -> None:
        self.vectorizer = vectorizer
        self.terms = vectorizer.terms
        self.tf = _TermFrequency(vectorizer.sublinear_tf)
        self.word_sums: Callable[[str], WordSums] = functools.lru_cache(maxsize=_WORDS_CACHED)(
            self._word_sums
        )
        self.word_bound: Callable[[str], WordBound] = functools.lru_cache(maxsize=_WORDS_CACHED)(
            self._word_bound
        )
        self.negative = _PerTerm(self.terms, lambda v: v[0] * min(v[2], 0.0))
        self.squared = _PerTerm(self.terms, lambda v: v[0] * v[0])

    def _word_bound(self, word: str) -> WordBound:
        """A word's distinct terms; over its terms (each occurrence once) idf * c for the
        crisis coefficients c > 0, and idf squared."""
        hits = self.vectorizer.char_wb_hits(word)
        values = list(map(self.terms.__getitem__, hits))
        idfs = list(map(_IDF, values))
        positive = (max(c, 0.0) for c in map(_C_CRISIS, values))
        return frozenset(hits), sum(map(mul, idfs, positive)), sum(map(mul, idfs, idfs))

    def crisis_bound(self, text: str) -> float:
        """At least this vectorizer's share of the crisis logit (see the module docstring)."""
        if not self.vectorizer.sublinear_tf:
            return math.inf  # the norm bound above holds for tf = 1 + ln n only
        parts = list(map(self.word_bound, self.vectorizer.words(text)))
        distinct = set().union(*map(_DISTINCT, parts))
        if not distinct:
            return 0.0
        top = sum(map(_POSITIVE, parts)) + sum(map(self.negative.__getitem__, distinct))
        if top >= 0.0:
            return top / math.sqrt(sum(map(self.squared.__getitem__, distinct)))
        return top / math.sqrt(_K * sum(map(_SQUARES, parts)))

    def _word_sums(self, word: str) -> WordSums:
        """A word's terms and, over them (each occurrence once), idf * coefficient per head
        and idf squared."""
        hits = self.vectorizer.char_wb_hits(word)
        values = list(map(self.terms.__getitem__, hits))
        idfs = list(map(_IDF, values))
        return (
            hits,
            sum(map(mul, idfs, map(_C_RISKY, values))),
            sum(map(mul, idfs, map(_C_CRISIS, values))),
            sum(map(mul, idfs, idfs)),
        )

    def dot(self, text: str) -> tuple[float, float]:
        parts = list(map(self.word_sums, self.vectorizer.words(text)))
        if not parts:
            return 0.0, 0.0
        risky = sum(map(_RISKY, parts))
        crisis = sum(map(_CRISIS, parts))
        norm = sum(map(_NORM, parts))
        hits = list(map(_TERMS, parts))
        counts = Counter(chain.from_iterable(hits))
        if len(counts) < sum(map(len, hits)):
            # Terms seen n > 1 times were summed n times at tf 1; the model counts them once
            # at tf(n): add (tf(n) - n) times their products, and (tf(n)^2 - n) for the norm.
            repeated = list(compress(counts, map((1).__lt__, counts.values())))
            times = list(map(counts.__getitem__, repeated))
            tf = list(map(self.tf.__getitem__, times))
            values = list(map(self.terms.__getitem__, repeated))
            idfs = list(map(_IDF, values))
            extra = list(map(mul, map(sub, tf, times), idfs))
            risky += sum(map(mul, extra, map(_C_RISKY, values)))
            crisis += sum(map(mul, extra, map(_C_CRISIS, values)))
            norm += sum(map(mul, map(sub, map(mul, tf, tf), times), map(mul, idfs, idfs)))
        return _scaled(risky, crisis, norm)


class _WordQuick:
    """A ``word`` vectorizer's share of the logits (a few terms per message)."""

    def __init__(self, vectorizer: Vectorizer, token: re.Pattern[str]) -> None:
        self.vectorizer = vectorizer
        self.terms = vectorizer.terms
        self.tf = _TermFrequency(vectorizer.sublinear_tf)
        self.token = token

    def dot(self, text: str) -> tuple[float, float]:
        counts = Counter(filter(self.terms.__contains__, self._grams(text)))
        if not counts:
            return 0.0, 0.0
        values = list(map(self.terms.__getitem__, counts))
        weights = list(map(mul, map(self.tf.__getitem__, counts.values()), map(_IDF, values)))
        return _scaled(
            sum(map(mul, weights, map(_C_RISKY, values))),
            sum(map(mul, weights, map(_C_CRISIS, values))),
            sum(map(mul, weights, weights)),
        )

    def crisis_bound(self, text: str) -> float:
        return self.dot(text)[1]

    def _grams(self, text: str) -> Iterator[str]:
        """The word n-grams of ``text``, as `Vectorizer.counts` forms them."""
        tokens = self.token.findall(text)
        low, high = self.vectorizer.ngram_range
        grams: list[Iterable[str]] = []
        for n in range(low, min(high, len(tokens)) + 1):
            if n == 1:
                grams.append(tokens)
            else:
                grams.append(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
        return chain.from_iterable(grams)


def _scaled(risky: float, crisis: float, norm: float) -> tuple[float, float]:
    if norm <= 0.0:
        return 0.0, 0.0
    scale = math.sqrt(norm)
    return risky / scale, crisis / scale


class QuickScorer:
    """`decisions(text)`: a model's two logits, fast; equal to the model's up to rounding."""

    def __init__(self, model: CrisisModel) -> None:
        self.model = model
        self._parts = [
            _CharQuick(v) if v.token is None else _WordQuick(v, v.token) for v in model.vectorizers
        ]

    def crisis_bound(self, text: str) -> float:
        """At least the crisis logit of ``text`` (up to rounding); cheap on long texts."""
        crisis = self.model.intercepts[1]
        lowered = text.lower()
        for part in self._parts:
            crisis += part.crisis_bound(lowered if part.vectorizer.lowercase else text)
        return crisis

    def decisions(self, text: str) -> tuple[float, float]:
        """The model's (risky, crisis) logits, up to floating-point rounding."""
        risky, crisis = self.model.intercepts
        lowered = text.lower()
        for part in self._parts:
            more_risky, more_crisis = part.dot(lowered if part.vectorizer.lowercase else text)
            risky += more_risky
            crisis += more_crisis
        return risky, crisis
