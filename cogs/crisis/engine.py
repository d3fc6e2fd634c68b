"""The rules engine of the crisis detector: the rules file compiled, and one message judged.

Pure Python (no discord, no database). For one message (see `detector.py` for the whole):

1. normalise it (`normalise.py`), keeping a map back to the original offsets;
2. find every cue: each ``[[rule]]`` of the rules file is one regex over the normalised text
   (the first pass, `first_pass.RuleFilter`, names the rules that can match at all; the
   others cannot, so their regexes are not run);
3. judge each cue in its context: the ``[[modifier]]`` entries cancel it (negation, past,
   idiom, song, game, news, routine medication...) or downgrade it one level (someone else,
   a question about resources), each only within its scope (usually the cue's clause);
4. keep, per rule, its strongest surviving match, then apply ``[[escalation]]`` combinations
   (hopelessness + a plan -> crisis);
5. the level is the highest surviving level; the score is the noisy-OR of the weights,
   clamped into that level's band (``[score]``), so it orders messages within a level.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from re import Pattern

from cogs.crisis.first_pass import RuleFilter
from cogs.crisis.normalise import Normalised, Normaliser
from cogs.crisis.rules import (
    LEVELS,
    ModifierSpec,
    RuleFile,
    compile_alternatives,
    pattern_source,
)
from cogs.crisis.verdict import Reason, Suppressed, Verdict

__all__ = ["RulesEngine"]


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


class RulesEngine:
    """One loaded, compiled rules file; ``judge(text)`` is the rules' verdict on one message.

    ``first_pass``: run only the rules whose required words the message contains (the same
    verdict, without the regexes that cannot match); off, every rule's regex runs.
    """

    def __init__(self, rules: RuleFile, *, first_pass: bool = True) -> None:
        self.version = rules.version
        self._concern_floor = rules.score.concern
        self._crisis_floor = rules.score.crisis
        norm = rules.normalise
        self.normaliser = Normaliser(
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
        self.filter = (
            RuleFilter.cached(
                tuple(
                    tuple(pattern_source(p, macros, f"rule {r.id!r}") for p in r.patterns)
                    for r in rules.rule
                )
            )
            if first_pass
            else None
        )
        modifiers = tuple(_modifier(m, macros) for m in rules.modifier)
        # Cancelling modifiers first: a cancelled cue needs no downgrades worked out.
        self._modifiers = tuple(sorted(modifiers, key=lambda m: not m.cancels))
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

    def rule_matches(self, rule_id: str, text: str) -> bool:
        """Whether a rule's patterns match ``text`` at all, before any modifier (for tests)."""
        rule = next(r for r in self._rules if r.id == rule_id)
        return rule.regex.search(self.normaliser.normalise(text).text) is not None

    def judge(self, text: str) -> tuple[Verdict, bool]:
        """The rules' verdict on ``text``, and whether the first pass settled it without
        running any rule's regex (may raise: the detector turns errors into none)."""
        norm = self.normaliser.normalise(text)
        rules: Sequence[_Rule] = self._rules
        if self.filter is not None:
            rules = self.filter.select(rules, norm.text)
            if not rules:  # nothing any rule needs is there: no cue, nothing suppressed
                return Verdict("none", 0.0), True
        return self._judge_rules(norm, rules), False

    def _judge_rules(self, norm: Normalised, rules: Sequence[_Rule]) -> Verdict:
        message: _Message | None = None
        cues: list[_Cue] = []
        suppressed: list[Suppressed] = []
        for rule in rules:
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
            (cue.level, cue.start, _reason(norm, cue)) for cue in cues
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
            return Verdict("none", self.clamp(weights, 0), [], suppressed)
        reasons.sort(key=lambda item: (-item[0], item[1]))
        return Verdict(
            LEVELS[level],
            self.clamp(weights, level),
            [reason for _, _, reason in reasons],
            suppressed,
        )

    def clamp(self, weights: list[float], level: int) -> float:
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


def _modifier(spec: ModifierSpec, macros: dict[str, str]) -> _Modifier:
    def optional(patterns: tuple[str, ...], what: str) -> Pattern[str] | None:
        where = f"modifier {spec.id!r} {what}"
        return compile_alternatives(patterns, macros, where) if patterns else None

    return _Modifier(
        id=spec.id,
        cancels=spec.effect == "cancel",
        scope=spec.scope,
        label=spec.label,
        regex=compile_alternatives(spec.patterns, macros, f"modifier {spec.id!r}"),
        applies_to=None if "*" in spec.applies_to else frozenset(spec.applies_to),
        max_gap=spec.max_gap,
        blocked_by=optional(spec.blocked_by, "blocked_by"),
        block_includes_cue=spec.block_includes_cue,
        requires=optional(spec.requires, "requires"),
        unless=optional(spec.unless, "unless"),
    )


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
