"""Cheap upper bounds of the crisis model's two logits, for the detector's first pass (pure).

`CrisisModel.decisions` walks a message's vocabulary terms one by one in Python (some 150
character n-grams for a short message, many more for a few messages joined as context).
`ModelBounds.logits` gives, per head, numbers the logit is surely not below and not above,
mostly from per-word sums kept in a cache and a few C loops (``map``, ``sum``, ``set``). When
they fall on one side of a threshold, the model's score does too, and it need not run.

For the character n-grams, with ``n`` a term's count in the text, idf its weight, c its
coefficient and ``x = idf * c``, the model adds ``tf(n) * x`` over the terms and divides by
the norm ``sqrt(sum(tf(n)^2 * idf^2))``, where ``tf(n) = 1 + ln n`` (sublinear tf). Writing
``tf(n) = 1 + (tf(n) - 1)``, with sums over the distinct terms or over every occurrence:

- numerator: ``sum_distinct(x)`` plus ``(tf(n) - 1) * x``, which is between 0 and
  ``ln 2 * (n - 1) * x`` (``ln n / (n - 1)`` is largest at n = 2): in all at most
  ``sum_distinct(x) + ln 2 * (sum_occurrences(x+) - sum_distinct(x+))`` and at least the
  same with the terms x < 0;
- norm squared: at least ``sum_distinct(idf^2)`` (tf >= 1) and at most both
  ``sum_distinct(idf^2) + K2 * (sum_occurrences(idf^2) - sum_distinct(idf^2))`` with
  ``K2 = max (tf(n)^2 - 1) / (n - 1)`` (1.867, at n = 2) and ``K * sum_occurrences(idf^2)``
  with ``K = max tf(n)^2 / n`` (1.468, at n = 3);
- so the share is at most the numerator's upper bound over the smallest norm when that
  bound is positive, over the largest norm when it is negative (and the other way round for
  the lower bound).

Without repeated terms both bounds are the model's own numbers. Both heads are summed at once
as the real and imaginary parts of complex numbers (one C loop for two sums).
The word n-grams (a few per message) are summed exactly, in another order than the model
(equal up to floating-point rounding, far below the first pass's slack). On short messages
the bound is within about 0.2 of the logit; the model itself is untouched.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from operator import itemgetter, mul
from typing import TypeVar

from cogs.crisis.model import CrisisModel, Vectorizer

__all__ = ["ModelBounds"]

_WORDS_CACHED = 8192
_IDF, _C_RISKY, _C_CRISIS = (itemgetter(i) for i in range(3))
_DISTINCT, _SIGNED, _POSITIVE, _SQUARES = (itemgetter(i) for i in range(4))

# Per word: its distinct terms; over its terms (each occurrence once) idf * c (risky + 1j *
# crisis), the same for c > 0 only, and idf squared.
WordSums = tuple[frozenset[str], complex, complex, float]
Logits = tuple[float, float]


def _largest(f: Callable[[int], float]) -> float:
    """``max f(n)`` over n >= 2, for the f above: each rises to a peak by n = 3, then falls."""
    return max(f(n) for n in (2, 3, 4, 5))


_LN2 = math.log(2.0)  # max ln(n) / (n - 1)
_K = max(1.0, _largest(lambda n: (1.0 + math.log(n)) ** 2 / n))
_K2 = _largest(lambda n: ((1.0 + math.log(n)) ** 2 - 1.0) / (n - 1))


V = TypeVar("V", float, complex)


class _PerTerm(dict[str, V]):
    """term -> a value computed from its (idf, risky, crisis) entry on first use (memoised)."""

    def __init__(
        self, terms: dict[str, tuple[float, ...]], of: Callable[[tuple[float, ...]], V]
    ) -> None:
        super().__init__()
        self.terms = terms
        self.of = of

    def __missing__(self, term: str) -> V:
        value = self[term] = self.of(self.terms[term])
        return value


def _signed(v: tuple[float, ...]) -> complex:
    return complex(v[0] * v[1], v[0] * v[2])


def _positive(v: tuple[float, ...]) -> complex:
    return complex(v[0] * max(v[1], 0.0), v[0] * max(v[2], 0.0))


def _squared(v: tuple[float, ...]) -> float:
    return v[0] * v[0]


class _CharBound:
    """A ``char_wb`` vectorizer's share of each logit, bounded from above."""

    def __init__(self, vectorizer: Vectorizer) -> None:
        self.vectorizer = vectorizer
        self.terms = vectorizer.terms
        self.word_sums: Callable[[str], WordSums] = functools.lru_cache(maxsize=_WORDS_CACHED)(
            self._word_sums
        )
        self.signed: _PerTerm[complex] = _PerTerm(self.terms, _signed)
        self.positive: _PerTerm[complex] = _PerTerm(self.terms, _positive)
        self.squared: _PerTerm[float] = _PerTerm(self.terms, _squared)

    def _word_sums(self, word: str) -> WordSums:
        hits = self.vectorizer.char_wb_hits(word)
        return (
            frozenset(hits),
            sum(map(self.signed.__getitem__, hits), 0j),
            sum(map(self.positive.__getitem__, hits), 0j),
            sum(map(self.squared.__getitem__, hits)),
        )

    def bounds(self, text: str) -> tuple[Logits, Logits]:
        if not self.vectorizer.sublinear_tf:  # the bounds above hold for tf = 1 + ln n only
            return (-math.inf, -math.inf), (math.inf, math.inf)
        parts = list(map(self.word_sums, self.vectorizer.words(text)))
        distinct = set().union(*map(_DISTINCT, parts))
        if not distinct:
            return (0.0, 0.0), (0.0, 0.0)  # no vocabulary term: the vector is zero
        squares = sum(map(self.squared.__getitem__, distinct))
        more_squares = sum(map(_SQUARES, parts)) - squares
        signed = sum(map(self.signed.__getitem__, distinct), 0j)
        positive = sum(map(self.positive.__getitem__, distinct), 0j)
        more_positive = sum(map(_POSITIVE, parts), 0j) - positive
        more_negative = sum(map(_SIGNED, parts), 0j) - signed - more_positive
        smallest = math.sqrt(squares)
        largest = math.sqrt(min(_K * (squares + more_squares), squares + _K2 * more_squares))
        high = signed + _LN2 * more_positive  # the numerator is at most this...
        low = signed + _LN2 * more_negative  # ... and at least this
        return (
            (_share(low.real, largest, smallest), _share(low.imag, largest, smallest)),
            (_share(high.real, smallest, largest), _share(high.imag, smallest, largest)),
        )


def _share(numerator: float, if_positive: float, if_negative: float) -> float:
    return numerator / (if_positive if numerator >= 0.0 else if_negative)


class _WordSum:
    """A ``word`` vectorizer's share of each logit, summed exactly (a few terms)."""

    def __init__(self, vectorizer: Vectorizer, token: re.Pattern[str]) -> None:
        self.vectorizer = vectorizer
        self.terms = vectorizer.terms
        self.token = token
        self.tf = _TermFrequency(vectorizer.sublinear_tf)

    def bounds(self, text: str) -> tuple[Logits, Logits]:
        exact = self._sums(text)  # up to rounding, which the first pass allows for
        return exact, exact

    def _sums(self, text: str) -> Logits:
        counts = Counter(filter(self.terms.__contains__, self._grams(text)))
        if not counts:
            return 0.0, 0.0
        values = list(map(self.terms.__getitem__, counts))
        tf = map(self.tf.__getitem__, counts.values())
        weights = list(map(mul, tf, map(_IDF, values)))
        scale = math.sqrt(sum(map(mul, weights, weights)))
        return (
            sum(map(mul, weights, map(_C_RISKY, values))) / scale,
            sum(map(mul, weights, map(_C_CRISIS, values))) / scale,
        )

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


class _TermFrequency(dict[int, float]):
    """n -> a term's tf when it occurs n times, as the model computes it (memoised)."""

    def __init__(self, sublinear: bool) -> None:
        super().__init__()
        self.sublinear = sublinear

    def __missing__(self, times: int) -> float:
        value = self[times] = 1.0 + math.log(times) if self.sublinear else float(times)
        return value


class ModelBounds:
    """``logits(text)``: numbers a model's (risky, crisis) logits are surely not below, and
    numbers they are surely not above."""

    def __init__(self, model: CrisisModel) -> None:
        self.model = model
        self._parts = [
            _CharBound(v) if v.token is None else _WordSum(v, v.token) for v in model.vectorizers
        ]

    def logits(self, text: str) -> tuple[Logits, Logits]:
        """((risky, crisis) at least, (risky, crisis) at most)."""
        risky, crisis = self.model.intercepts
        low_risky, low_crisis, high_risky, high_crisis = risky, crisis, risky, crisis
        lowered = text.lower()
        for part in self._parts:
            low, high = part.bounds(lowered if part.vectorizer.lowercase else text)
            low_risky += low[0]
            low_crisis += low[1]
            high_risky += high[0]
            high_crisis += high[1]
        return (low_risky, low_crisis), (high_risky, high_crisis)
