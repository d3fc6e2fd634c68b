"""Crisis-language detection: ``classify(text)`` -> crisis, concern or none, with reasons.

Pure Python (no discord, no database). How a message is judged:

1. normalise it (see `normalise.py`), keeping a map back to the original offsets;
2. find every cue: each ``[[rule]]`` of the rules file is one regex over the normalised text;
3. judge each cue in its context: the ``[[modifier]]`` entries cancel it (negation, past,
   idiom, song, game, news, routine medication...) or downgrade it one level (someone else,
   a question about resources), each only within its scope (usually the cue's clause);
4. keep, per rule, its strongest surviving match, then apply ``[[escalation]]`` combinations
   (hopelessness + a plan -> crisis);
5. the level is the highest surviving level; the score is the noisy-OR of the weights,
   clamped into that level's band (``[score]``), so it orders messages within a level;
6. the learned model (``model.py``, config/crisis_model.json) scores the raw text twice, as
   risky (crisis or concern wording) and as crisis; ``policy.decide`` combines those scores
   with the rules' level: the rules' crisis stands, a rules concern can become a crisis, a
   rules none can become a crisis or a concern, each at thresholds the training tool chose
   by cross-validation. The model never lowers a level. A detector built without a model
   (``Detector(rules)``) is rules only; ``load_detector()`` uses the shipped model;
7. context: ``classify(text, context=[...])`` also reads the person's few previous messages
   together with this one, for goodbyes and plans that span messages; when the whole says
   crisis and the message alone did not, the verdict is crisis with the reason
   ``context.recent_messages``.

Every reason names the rule (or escalation) that produced it, with a label for a facilitator
and the span in the original text.
"""

from __future__ import annotations

import functools
import json
import logging
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from re import Pattern
from typing import Any

from cogs.crisis.model import DEFAULT_MODEL_PATH, CrisisModel, load_model
from cogs.crisis.normalise import Normalised, Normaliser
from cogs.crisis.policy import MODEL_CRISIS, MODEL_RISKY, decide
from cogs.crisis.rules import (
    DEFAULT_RULES_PATH,
    LEVELS,
    Level,
    RuleFile,
    compile_alternatives,
    load_rules,
)

__all__ = [
    "CONTEXT_REASON",
    "MAX_CHARS",
    "MODEL_CRISIS",
    "MODEL_REASON",
    "Detector",
    "Reason",
    "Suppressed",
    "Verdict",
    "classify",
    "classify_lines",
    "load_detector",
]

log = logging.getLogger(__name__)

MAX_CHARS = 20_000
"""Longer messages are judged on their first ``MAX_CHARS`` characters (Discord allows 4,000)."""

MODEL_REASON = MODEL_RISKY
MODEL_LABEL = "Wording often seen in messages from people in distress (model)"
MODEL_CRISIS_LABEL = "Wording often seen in messages from people in crisis (model)"
CONTEXT_REASON = "context.recent_messages"
CONTEXT_LABEL = "Read together with their messages of the last few minutes"
MAX_CONTEXT_CHARS = 2_000
CONTEXT_GATE = 0.2
"""Context is read only when the message alone is flagged or its risky score reaches this: the
last message of a goodbye spread over several almost always does, while four in five ordinary
messages do not, so most messages cost one pass, not two."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One cue that counted: which rule, what it means, where it is in the original text."""

    rule: str
    category: str
    label: str
    level: Level
    span: tuple[int, int]
    text: str = ""
    modifiers: tuple[str, ...] = ()
    score: float | None = None  # the model's probability, for model and context reasons

    @property
    def id(self) -> str:
        """The rule (or escalation) id; same as ``rule``."""
        return self.rule

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "label": self.label,
            "level": self.level,
            "span": [self.span[0], self.span[1]],
            "text": self.text,
            "modifiers": list(self.modifiers),
        }
        if self.score is not None:
            data["score"] = self.score
        return data


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A cue that a modifier cancelled (kept for debugging and the bench, not for alerts)."""

    rule: str
    by: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement on one message: level, score in [0, 1] and the reasons behind it.

    ``reasons`` is a list (strongest level first); ``suppressed`` lists cues a modifier
    cancelled, for debugging; ``error`` is set only when classification failed internally
    (the verdict is then ``none`` and the failure is logged).
    """

    level: Level
    score: float
    reasons: list[Reason] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    error: str | None = None
    model: tuple[float, float] | None = None  # (risky, crisis) scores, when a model ran

    @property
    def flagged(self) -> bool:
        return self.level != "none"

    @property
    def decided_by(self) -> str:
        """What set the level: "rules", "model" (it raised the rules' level), "context" (the
        person's recent messages read together) or "none" (nothing flagged)."""
        if not self.flagged:
            return "none"
        first = self.reasons[0].category if self.reasons else "rules"
        return first if first in ("model", "context") else "rules"

    def to_json(self) -> dict[str, Any]:
        """Exactly ``{"level", "score", "reasons"}``; JSON-serialisable."""
        return {
            "level": self.level,
            "score": self.score,
            "reasons": [reason.to_json() for reason in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    category: str
    level: int
    weight: float
    label: str
    regex: Pattern[str]
    immune_to: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Modifier:
    id: str
    cancels: bool
    scope: str
    label: str
    regex: Pattern[str]
    applies_to: frozenset[str] | None  # None: every category
    max_gap: int
    blocked_by: Pattern[str] | None
    block_includes_cue: bool
    requires: Pattern[str] | None  # must match somewhere in the message
    unless: Pattern[str] | None  # must not match anywhere in the message


@dataclass(frozen=True, slots=True)
class _Escalation:
    id: str
    level: int
    weight: float
    label: str
    all_of: frozenset[str]
    any_of: frozenset[str]
    min_any: int


@dataclass(slots=True)
class _Cue:
    rule: _Rule
    level: int
    weight: float
    start: int
    end: int
    modifiers: tuple[_Modifier, ...]


class _Message:
    """One normalised message, with its clauses and modifier matches worked out lazily."""

    __slots__ = ("_breaks", "_ends", "_hits", "_starts", "text")

    def __init__(self, text: str, breaks: Pattern[str]) -> None:
        self.text = text
        self._breaks = breaks
        self._starts: list[int] | None = None
        self._ends: list[int] = []
        self._hits: dict[str, list[tuple[int, int]]] = {}

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The clause(s) a cue spans: from the start of its first to the end of its last."""
        if self._starts is None:
            self._starts = [0]
            for match in self._breaks.finditer(self.text):
                self._ends.append(match.start())
                self._starts.append(match.end())
            self._ends.append(len(self.text))
        first = bisect_right(self._starts, start) - 1
        last = bisect_right(self._starts, max(end - 1, start)) - 1
        return min(self._starts[first], start), max(self._ends[last], end)

    def hits(self, mod: _Modifier) -> list[tuple[int, int]]:
        found = self._hits.get(mod.id)
        if found is None:
            found = [
                (m.start(), m.end()) for m in mod.regex.finditer(self.text) if m.end() > m.start()
            ]
            self._hits[mod.id] = found
        return found

    def required(self, mod: _Modifier) -> bool:
        """Whether the message meets the modifier's ``requires`` and ``unless`` conditions."""
        return self._anywhere(mod, "requires", mod.requires, True) and not self._anywhere(
            mod, "unless", mod.unless, False
        )

    def _anywhere(self, mod: _Modifier, what: str, regex: Pattern[str] | None, empty: bool) -> bool:
        if regex is None:
            return empty
        key = f"{mod.id} {what}"
        found = self._hits.get(key)
        if found is None:
            match = regex.search(self.text)
            found = self._hits[key] = [match.span()] if match else []
        return bool(found)

    def applies(self, mod: _Modifier, start: int, end: int) -> bool:
        """Whether one of ``mod``'s matches stands in its scope to the cue ``[start, end)``."""
        spans = self.hits(mod)
        if not spans:
            return False
        if (mod.requires is not None or mod.unless is not None) and not self.required(mod):
            return False
        clause_start, clause_end = self.clause(start, end)
        for m_start, m_end in spans:
            gap: tuple[int, int] | None = None
            if mod.scope == "overlap":
                ok = m_start < end and m_end > start
            elif mod.scope == "contains":
                ok = m_start <= start and m_end >= end
            elif mod.scope == "message":
                ok = True
            elif m_end <= start and mod.scope in ("before", "clause"):
                ok = m_start >= clause_start and start - m_end <= mod.max_gap
                gap = (m_end, start)
            elif m_start >= end and mod.scope in ("after", "clause", "next"):
                # "next": right after the cue even across a clause break ("self harm - none").
                within = mod.scope == "next" or m_end <= clause_end
                ok = within and m_start - end <= mod.max_gap
                gap = (end, m_start)
            else:
                ok = mod.scope == "clause" and m_start < end and m_end > start
            if not ok:
                continue
            if mod.blocked_by is not None:
                lo, hi = gap if gap is not None else (start, start)
                if mod.block_includes_cue:
                    lo, hi = min(lo, start), max(hi, end)
                if hi > lo and mod.blocked_by.search(self.text, lo, hi):
                    continue
            return True
        return False


class Detector:
    """Classifies messages with one loaded, compiled rules file. Build once, reuse."""

    def __init__(
        self,
        rules: RuleFile | Path | str = DEFAULT_RULES_PATH,
        model: CrisisModel | Path | str | None = None,
    ) -> None:
        """``rules``: the rules file (or its path); ``model``: the learned safety net (or its
        path), consulted only when the rules say ``none``; ``None`` means rules only."""
        if not isinstance(rules, RuleFile):
            rules = load_rules(Path(rules))
        if model is not None and not isinstance(model, CrisisModel):
            model = CrisisModel.from_path(model)
        self.model = model
        self.version = rules.version
        self._concern_floor = rules.score.concern
        self._crisis_floor = rules.score.crisis
        norm = rules.normalise
        self._normaliser = Normaliser(
            norm.fold, norm.leet, norm.censored_words, norm.number_suffixes
        )
        macros = rules.macros
        self._breaks = compile_alternatives(rules.clause_breaks, macros, "clause_breaks")
        self._rules = tuple(
            _Rule(
                id=r.id,
                category=r.category,
                level=LEVELS.index(r.level),
                weight=r.weight,
                label=r.label,
                regex=compile_alternatives(r.patterns, macros, f"rule {r.id!r}"),
                immune_to=frozenset(r.immune_to),
            )
            for r in rules.rule
        )
        self._modifiers = tuple(
            _Modifier(
                id=m.id,
                cancels=m.effect == "cancel",
                scope=m.scope,
                label=m.label,
                regex=compile_alternatives(m.patterns, macros, f"modifier {m.id!r}"),
                applies_to=None if "*" in m.applies_to else frozenset(m.applies_to),
                max_gap=m.max_gap,
                blocked_by=(
                    compile_alternatives(m.blocked_by, macros, f"modifier {m.id!r} blocked_by")
                    if m.blocked_by
                    else None
                ),
                block_includes_cue=m.block_includes_cue,
                requires=(
                    compile_alternatives(m.requires, macros, f"modifier {m.id!r} requires")
                    if m.requires
                    else None
                ),
                unless=(
                    compile_alternatives(m.unless, macros, f"modifier {m.id!r} unless")
                    if m.unless
                    else None
                ),
            )
            for m in rules.modifier
        )
        # Cancelling modifiers first: a cancelled cue needs no downgrades worked out.
        self._modifiers = tuple(sorted(self._modifiers, key=lambda m: not m.cancels))
        self._escalations = tuple(
            _Escalation(
                id=e.id,
                level=LEVELS.index(e.level),
                weight=e.weight,
                label=e.label,
                all_of=frozenset(e.all_of),
                any_of=frozenset(e.any_of),
                min_any=e.min_any,
            )
            for e in rules.escalation
        )

    @classmethod
    def from_path(
        cls, path: Path = DEFAULT_RULES_PATH, model: CrisisModel | Path | str | None = None
    ) -> Detector:
        return cls(load_rules(path), model)

    @classmethod
    def default(cls) -> Detector:
        """The detector for the shipped rules file, loaded once per process."""
        return load_detector()

    def normalise(self, text: str) -> Normalised:
        return self._normaliser.normalise(text)

    def rule_matches(self, rule_id: str, text: str) -> bool:
        """Whether a rule's patterns match ``text`` at all, before any modifier (for tests)."""
        rule = next(r for r in self._rules if r.id == rule_id)
        return rule.regex.search(self.normalise(text).text) is not None

    def classify(self, text: str, context: Sequence[str] = ()) -> Verdict:
        """Judge one message, with the person's previous few messages as ``context`` (oldest
        first; the caller keeps them). Never raises: bad input or an internal error gives
        ``none``."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if not text or text.isspace():
            return Verdict("none", 0.0)
        text = text[:MAX_CHARS]
        verdict = self._judge_text(text)
        if (
            context
            and verdict.level != "crisis"
            and verdict.error is None
            and self._worth_context(verdict)
        ):
            verdict = self._with_context(text, context, verdict)
        return verdict

    def _worth_context(self, verdict: Verdict) -> bool:
        if verdict.flagged or self.model is None or verdict.model is None:
            return True
        return verdict.model[0] >= CONTEXT_GATE

    def _judge_text(self, text: str) -> Verdict:
        try:
            verdict = self._classify(text)
        except Exception as exc:  # a crash must not take the message pipeline down
            log.exception("crisis detector failed on a message of %d characters", len(text))
            return Verdict("none", 0.0, error=f"{type(exc).__name__}: {exc}")
        if self.model is None:
            return verdict
        return self._with_model(self.model, text, verdict)

    def _with_model(self, model: CrisisModel, text: str, verdict: Verdict) -> Verdict:
        """The rules' verdict with the model's scores, raised where the policy says so."""
        try:
            risky, crisis = model.scores(text)
        except Exception:  # the model is an extra; a failure leaves the rules' verdict
            log.exception("crisis model failed on a message of %d characters", len(text))
            return verdict
        level, decided = decide(verdict.level, risky, crisis, model.policy)
        scores = (round(risky, 4), round(crisis, 4))
        if decided is None:
            return replace(verdict, model=scores)
        probability, label = (
            (crisis, MODEL_CRISIS_LABEL) if decided == MODEL_CRISIS else (risky, MODEL_LABEL)
        )
        reason = Reason(
            rule=decided,
            category="model",
            label=label,
            level=level,
            span=(0, len(text)),
            text=text,
            score=round(probability, 4),
        )
        weights = [probability, *([verdict.score] if verdict.flagged else [])]
        score = self._clamp(weights, LEVELS.index(level))
        return Verdict(level, score, [reason, *verdict.reasons], verdict.suppressed, None, scores)

    def _with_context(self, text: str, context: Sequence[str], verdict: Verdict) -> Verdict:
        """Crisis when this message and the ones before it, read together, say crisis."""
        joined = " \n".join([*context, text])[-MAX_CONTEXT_CHARS:]
        together = self._judge_text(joined)
        if together.level != "crisis" or together.error is not None:
            return verdict
        model_says = together.model[1] if together.model else None
        if together.decided_by == "model" and (model_says or 0.0) < self._context_threshold():
            return verdict
        reason = Reason(
            rule=CONTEXT_REASON,
            category="context",
            label=CONTEXT_LABEL,
            level="crisis",
            span=(0, len(text)),
            text=text,
            score=model_says,
        )
        return Verdict(
            "crisis",
            together.score,
            [reason, *verdict.reasons],
            verdict.suppressed,
            None,
            verdict.model,
        )

    def _context_threshold(self) -> float:
        return self.model.policy.context if self.model is not None else 1.0

    def _classify(self, text: str) -> Verdict:
        norm = self._normaliser.normalise(text)
        message: _Message | None = None
        cues: list[_Cue] = []
        suppressed: list[Suppressed] = []
        for rule in self._rules:
            best: _Cue | None = None
            cancelled: Suppressed | None = None
            for match in rule.regex.finditer(norm.text):
                start, end = match.span()
                if start == end:
                    continue
                if message is None:
                    message = _Message(norm.text, self._breaks)
                cue, cancelled_by = self._judge(rule, start, end, message)
                if cue is None:
                    if cancelled is None and cancelled_by is not None:
                        span = norm.original_span(start, end)
                        cancelled = Suppressed(rule.id, cancelled_by, span)
                    continue
                if best is None or cue.level > best.level:
                    best = cue
                if best.level == rule.level:
                    break
            if best is not None:
                cues.append(best)
            elif cancelled is not None:
                suppressed.append(cancelled)
        if not cues:
            return Verdict("none", 0.0, [], suppressed)
        return self._conclude(norm, cues, suppressed)

    def _judge(
        self, rule: _Rule, start: int, end: int, message: _Message
    ) -> tuple[_Cue | None, str | None]:
        level, weight = rule.level, rule.weight
        applied: list[_Modifier] = []
        for mod in self._modifiers:
            if mod.id in rule.immune_to:
                continue
            if mod.applies_to is not None and rule.category not in mod.applies_to:
                continue
            if not message.applies(mod, start, end):
                continue
            if mod.cancels:
                return None, mod.id
            applied.append(mod)
            level = max(level - 1, 0)
            weight *= 0.5
        return _Cue(rule, level, weight, start, end, tuple(applied)), None

    def _conclude(
        self, norm: Normalised, cues: list[_Cue], suppressed: list[Suppressed]
    ) -> Verdict:
        level = max(cue.level for cue in cues)
        weights = [cue.weight for cue in cues]
        reasons: list[tuple[int, int, Reason]] = [
            (cue.level, cue.start, self._reason(norm, cue)) for cue in cues
        ]
        clean = [cue for cue in cues if not cue.modifiers]
        present = {cue.rule.category for cue in clean}
        for esc in self._escalations:
            if esc.level <= level or not esc.all_of <= present:
                continue
            involved = [cue for cue in clean if cue.rule.category in esc.any_of]
            if esc.any_of and len({cue.rule.id for cue in involved}) < esc.min_any:
                continue
            involved += [cue for cue in clean if cue.rule.category in esc.all_of]
            start = min(cue.start for cue in involved)
            end = max(cue.end for cue in involved)
            span = norm.original_span(start, end)
            reason = Reason(
                esc.id,
                "escalation",
                esc.label,
                LEVELS[esc.level],
                span,
                norm.original[span[0] : span[1]],
            )
            reasons.append((esc.level, start, reason))
            weights.append(esc.weight)
            level = esc.level
        if level == 0:
            return Verdict("none", self._clamp(weights, 0), [], suppressed)
        reasons.sort(key=lambda item: (-item[0], item[1]))
        return Verdict(
            LEVELS[level],
            self._clamp(weights, level),
            [reason for _, _, reason in reasons],
            suppressed,
        )

    @staticmethod
    def _reason(norm: Normalised, cue: _Cue) -> Reason:
        label = cue.rule.label
        if cue.modifiers:
            label += " (" + "; ".join(mod.label for mod in cue.modifiers) + ")"
        span = norm.original_span(cue.start, cue.end)
        return Reason(
            rule=cue.rule.id,
            category=cue.rule.category,
            label=label,
            level=LEVELS[cue.level],
            span=span,
            text=norm.original[span[0] : span[1]],
            modifiers=tuple(mod.id for mod in cue.modifiers),
        )

    def _clamp(self, weights: list[float], level: int) -> float:
        """Noisy-OR of the weights, kept inside the band of ``level``."""
        miss = 1.0
        for weight in weights:
            miss *= 1.0 - weight
        score = 1.0 - miss
        low, high = (
            (0.0, self._concern_floor),
            (self._concern_floor, self._crisis_floor),
            (self._crisis_floor, 1.0),
        )[level]
        if level < 2:
            high -= 0.001
        return round(min(max(score, low), high), 3)


@functools.cache
def load_detector() -> Detector:
    """The detector for the shipped rules and model files, built on first use and then reused.

    A missing or broken model file is logged as an error and the detector runs on rules alone
    (the model only ever adds concern alerts; the rules must keep working without it).
    """
    try:
        model: CrisisModel | None = load_model(DEFAULT_MODEL_PATH)
    except Exception:
        log.exception("crisis model not loaded; the detector runs on its rules alone")
        model = None
    return Detector.from_path(DEFAULT_RULES_PATH, model)


def classify(text: str, context: Sequence[str] = ()) -> Verdict:
    """Classify one message with the shipped rules and model (``context``: the person's
    previous few messages, oldest first)."""
    return load_detector().classify(text, context)


def classify_lines(lines: Iterable[str], detector: Detector | None = None) -> Iterator[str]:
    """One JSON object per input line (trailing newline ignored; blank lines give "none")."""
    detector = detector or load_detector()
    for line in lines:
        result = detector.classify(line.rstrip("\r\n"))
        yield json.dumps(result.to_json(), ensure_ascii=False)
