"""The crisis detector's learned model: pure-Python inference for config/crisis_model.json.

The model file is written by tools/train_crisis_model.py (scikit-learn, dev only). This module
reproduces its scikit-learn pipeline exactly, without numpy or scikit-learn:

- one TF-IDF vectorizer per ``vectorizers`` entry: ``char_wb`` (character n-grams inside
  whitespace-separated words, padded with a space) or ``word`` (``token_pattern`` tokens and
  their n-grams); lower-cased text; ``sublinear_tf`` (1 + ln count); smoothed idf stored per
  term; each vector l2-normalised on its own (as ``make_union`` concatenates them);
- one logistic regression per head, ``sigmoid(w . x + intercept)``, over the same features:
  ``risky`` (crisis or concern wording against none) and ``crisis`` (crisis against the rest).

Terms outside the vocabulary carry no weight and do not enter the norm, so only vocabulary
hits are counted. ``CrisisModel.scores(text)`` gives both probabilities; the file's ``policy``
holds the thresholds the detector compares them with (chosen by cross-validation of the whole
detector, rules included, in the training tool).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from config.resources import DataFileError

__all__ = ["DEFAULT_MODEL_PATH", "CrisisModel", "load_model", "sigmoid"]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[2] / "config" / "crisis_model.json"
FORMAT = "lantern-crisis-model"
FORMAT_VERSION = 2
HEADS = ("risky", "crisis")

_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's char_wb analyzer


class Vectorizer:
    """One TF-IDF vectorizer: its analyzer, and per term (idf, one coefficient per head)."""

    __slots__ = ("_ngrams", "_token", "analyzer", "lowercase", "name", "sublinear_tf", "terms")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.name = str(spec.get("name", spec["analyzer"]))
        self.analyzer = spec["analyzer"]
        low, high = (int(n) for n in spec["ngram_range"])
        if not 1 <= low <= high:
            raise ValueError(f"bad ngram_range {spec['ngram_range']!r}")
        self._ngrams = (low, high)
        self.lowercase = bool(spec.get("lowercase", True))
        self.sublinear_tf = bool(spec.get("sublinear_tf", False))
        if spec.get("norm", "l2") != "l2" or not spec.get("smooth_idf", True):
            raise ValueError("only norm='l2' with smoothed idf is supported")
        self.terms: dict[str, tuple[float, ...]] = {}
        for term, values in spec["terms"].items():
            if len(values) != 1 + len(HEADS):
                raise ValueError(f"term {term!r}: expected idf and {len(HEADS)} coefficients")
            self.terms[str(term)] = tuple(float(v) for v in values)
        if self.analyzer == "word":
            self._token = re.compile(spec.get("token_pattern", r"(?u)\b\w\w+\b"))
        elif self.analyzer == "char_wb":
            self._token = None
        else:
            raise ValueError(f"unsupported analyzer {self.analyzer!r}")

    @property
    def ngram_range(self) -> tuple[int, int]:
        return self._ngrams

    @property
    def token(self) -> re.Pattern[str] | None:
        """The ``word`` analyzer's token regex (None for ``char_wb``)."""
        return self._token

    def words(self, text: str) -> list[str]:
        """The whitespace-separated words ``char_wb`` takes its n-grams from, in order."""
        return _WHITE_SPACES.sub(" ", text).split()

    def counts(self, text: str, word_hits: Callable[[str], tuple[str, ...]]) -> dict[str, int]:
        """How often each vocabulary term occurs in ``text`` (already lower-cased if needed)."""
        found: dict[str, int] = {}
        if self._token is None:
            # char_wb n-grams never cross whitespace: count words, then their n-grams once each.
            words: dict[str, int] = {}
            for word in self.words(text):
                words[word] = words.get(word, 0) + 1
            for word, times in words.items():
                for term in word_hits(word):
                    found[term] = found.get(term, 0) + times
            return found
        tokens = self._token.findall(text)
        terms = self.terms
        low, high = self._ngrams
        for n in range(low, min(high, len(tokens)) + 1):
            for i in range(len(tokens) - n + 1):
                term = tokens[i] if n == 1 else " ".join(tokens[i : i + n])
                if term in terms:
                    found[term] = found.get(term, 0) + 1
        return found

    def char_wb_hits(self, word: str) -> tuple[str, ...]:
        """The vocabulary n-grams of one whitespace-free word (scikit-learn's ``char_wb``)."""
        padded = " " + word + " "
        size = len(padded)
        terms = self.terms
        hits: list[str] = []
        low, high = self._ngrams
        for n in range(low, high + 1):
            if size <= n:  # a short word counts once, whole (scikit-learn breaks here too)
                if padded in terms:
                    hits.append(padded)
                break
            for offset in range(size - n + 1):
                gram = padded[offset : offset + n]
                if gram in terms:
                    hits.append(gram)
        return tuple(hits)

    def dot(self, counts: Mapping[str, int]) -> tuple[float, float]:
        """w . x per head for this vectorizer's l2-normalised TF-IDF vector ``x``."""
        if not counts:
            return 0.0, 0.0
        terms = self.terms
        sublinear = self.sublinear_tf
        norm = risky = crisis = 0.0
        for term, count in counts.items():
            idf, c_risky, c_crisis = terms[term]
            value = (1.0 + math.log(count) if sublinear else float(count)) * idf
            norm += value * value
            risky += value * c_risky
            crisis += value * c_crisis
        if norm <= 0.0:
            return 0.0, 0.0
        scale = 1.0 / math.sqrt(norm)
        return risky * scale, crisis * scale


class Policy:
    """The thresholds the detector applies to the model's two scores (see detector.py).

    ``concern``: a risky score at or above it makes a rules ``none`` a concern;
    ``crisis``: a crisis score at or above it makes a rules ``none`` a crisis;
    ``raise_concern``: a crisis score at or above it makes a rules concern a crisis;
    ``context``: the same, for the person's last few messages read together.
    """

    __slots__ = ("concern", "context", "crisis", "raise_concern")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.concern = _probability(spec, "concern")
        self.crisis = _probability(spec, "crisis")
        self.raise_concern = _probability(spec, "raise_concern")
        self.context = _probability(spec, "context")

    def to_json(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in sorted(self.__slots__)}


def _probability(spec: Mapping[str, Any], name: str) -> float:
    value = float(spec[name])
    if not 0.0 < value <= 1.0:
        raise ValueError(f"policy.{name} {value} is not in (0, 1]")
    return value


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class CrisisModel:
    """A loaded model file: ``scores(text)`` (risky, crisis) in [0, 1] and its ``policy``."""

    def __init__(self, document: Mapping[str, Any], source: str = "<model>") -> None:
        try:
            if document.get("format") != FORMAT or document.get("version") != FORMAT_VERSION:
                raise ValueError(
                    f"expected format {FORMAT!r} version {FORMAT_VERSION}, got "
                    f"{document.get('format')!r} version {document.get('version')!r}"
                )
            self.policy = Policy(document["policy"])
            heads = document["heads"]
            self.intercepts = tuple(float(heads[name]["intercept"]) for name in HEADS)
            self.vectorizers = tuple(Vectorizer(spec) for spec in document["vectorizers"])
            if not self.vectorizers:
                raise ValueError("no vectorizers")
            training = document.get("training") or {}
            self.corpus_sha256: str = str(training.get("sha256", ""))
            self.corpus_size = int(training.get("size", 0))
            self.created: str = str(document.get("created", ""))
            self.cv: dict[str, Any] = dict(document.get("cv") or {})
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"{source}: invalid crisis model: {exc!r}") from exc
        self.source = source
        # Per-word char_wb hits, cached: chat repeats words, long texts most of all.
        self._char_hits = [
            functools.lru_cache(maxsize=8192)(v.char_wb_hits) if v.analyzer == "char_wb" else None
            for v in self.vectorizers
        ]

    @classmethod
    def from_path(cls, path: Path | str = DEFAULT_MODEL_PATH) -> CrisisModel:
        path = Path(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataFileError(f"{path}: cannot read crisis model: {exc}") from exc
        if not isinstance(document, dict):
            raise DataFileError(f"{path}: invalid crisis model: not a JSON object")
        return cls(document, str(path))

    @property
    def features(self) -> int:
        return sum(len(v.terms) for v in self.vectorizers)

    def decisions(self, text: str) -> tuple[float, float]:
        """``w . x + intercept`` (the logits) of the risky and crisis heads."""
        risky, crisis = self.intercepts
        lowered = text.lower()
        for vectorizer, char_hits in zip(self.vectorizers, self._char_hits, strict=True):
            source = lowered if vectorizer.lowercase else text
            counts = vectorizer.counts(source, char_hits or vectorizer.char_wb_hits)
            more_risky, more_crisis = vectorizer.dot(counts)
            risky += more_risky
            crisis += more_crisis
        return risky, crisis

    def scores(self, text: str) -> tuple[float, float]:
        """Probabilities (0-1) that ``text`` is risky wording (crisis or concern), and crisis."""
        risky, crisis = self.decisions(text)
        return sigmoid(risky), sigmoid(crisis)

    def score(self, text: str) -> float:
        """The risky probability alone."""
        return self.scores(text)[0]


@functools.cache
def load_model(path: Path = DEFAULT_MODEL_PATH) -> CrisisModel:
    """The model file at ``path``, loaded on first use and then reused."""
    return CrisisModel.from_path(path)
