"""Crisis-language detection: ``classify(text)`` -> crisis, concern or none, with reasons.

Pure Python (no discord, no database). How a message is judged:

1. the rules (`engine.py`, config/crisis_rules.toml): normalise the text, find every cue,
   judge each in its clause (modifiers cancel or downgrade it), combine them (escalations);
   the level is the highest surviving one, the score a noisy-OR clamped into its band;
2. the learned model (``model.py``, config/crisis_model.json) scores the raw text twice, as
   risky (crisis or concern wording) and as crisis; ``policy.decide`` combines those scores
   with the rules' level: the rules' crisis stands, a rules concern can become a crisis, a
   rules none can become a crisis or a concern, each at thresholds the training tool chose
   by cross-validation. The model never lowers a level. A detector built without a model
   (``Detector(rules)``) is rules only; ``load_detector()`` uses the shipped model;
3. context: ``classify(text, context=[...])`` also reads the person's few previous messages
   together with this one, for goodbyes and plans that span messages; when the whole says
   crisis and the message alone did not, the verdict is crisis with the reason
   ``context.recent_messages``.

A first pass (`first_pass.py`, on unless ``first_pass=False``) lets ordinary messages skip
the costly parts of each stage: the regexes of rules whose words are absent, and the model
when cheap bounds of its scores show it cannot change the level (the verdict's scores are
then worked out by the model only if something reads them). It changes no verdict, field for
field (tests/unit/test_detector_first_pass.py runs every labelled message both ways);
``Detector.counts`` tells how many messages skipped everything.

Every reason names the rule (or escalation) that produced it, with a label for a facilitator
and the span in the original text.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cogs.crisis.engine import RulesEngine
from cogs.crisis.first_pass import ScoreBounds, above, below
from cogs.crisis.model import DEFAULT_MODEL_PATH, CrisisModel, load_model
from cogs.crisis.model_bounds import ModelBounds
from cogs.crisis.normalise import Normalised
from cogs.crisis.policy import MODEL_CRISIS, MODEL_RISKY, decide
from cogs.crisis.rules import DEFAULT_RULES_PATH, LEVELS, RuleFile, load_rules
from cogs.crisis.verdict import Reason, Suppressed, Verdict

__all__ = [
    "CONTEXT_REASON",
    "MAX_CHARS",
    "MODEL_CRISIS",
    "MODEL_REASON",
    "Detector",
    "FirstPassCounts",
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
_CONTEXT_GATE_UNROUNDED = CONTEXT_GATE - 0.00005  # the gate sees the score to 4 decimals


@dataclass(slots=True)
class FirstPassCounts:
    """Messages classified, and how many of them the first pass settled alone: no rule's
    regex ran and the full model was not needed, for the message and its context."""

    messages: int = 0
    ordinary: int = 0

    @property
    def skip_rate(self) -> float:
        return self.ordinary / self.messages if self.messages else 0.0


class Detector:
    """Classifies messages with one loaded, compiled rules file. Build once, reuse."""

    def __init__(
        self,
        rules: RuleFile | Path | str = DEFAULT_RULES_PATH,
        model: CrisisModel | Path | str | None = None,
        *,
        first_pass: bool = True,
    ) -> None:
        """``rules``: the rules file (or its path); ``model``: the learned safety net (or its
        path); ``None`` means rules only. ``first_pass=False`` runs every stage in full on
        every message (same verdicts, slower: for comparison)."""
        if not isinstance(rules, RuleFile):
            rules = load_rules(Path(rules))
        if model is not None and not isinstance(model, CrisisModel):
            model = CrisisModel.from_path(model)
        self.model = model
        self.version = rules.version
        self.first_pass = first_pass
        self.engine = RulesEngine(rules, first_pass=first_pass)
        self._bounds = ModelBounds(model) if first_pass and model is not None else None
        self.counts = FirstPassCounts()

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
        return self.engine.normaliser.normalise(text)

    def rule_matches(self, rule_id: str, text: str) -> bool:
        """Whether a rule's patterns match ``text`` at all, before any modifier (for tests)."""
        return self.engine.rule_matches(rule_id, text)

    def classify(self, text: str, context: Sequence[str] = ()) -> Verdict:
        """Judge one message, with the person's previous few messages as ``context`` (oldest
        first; the caller keeps them). Never raises: bad input or an internal error gives
        ``none``."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if not text or text.isspace():
            return Verdict("none", 0.0)
        text = text[:MAX_CHARS]
        verdict, cheap, risky = self._judge_text(text)
        if context and verdict.level != "crisis" and verdict.error is None:
            if risky is None:
                worth = self._worth_context(verdict)
            elif below(risky[1], _CONTEXT_GATE_UNROUNDED):
                worth = False  # the recorded score, left for later, is surely below the gate
            elif above(risky[0], _CONTEXT_GATE_UNROUNDED):
                worth = True  # ... or surely at it
            else:
                cheap = False  # too close: the gate needs the model's own score
                worth = self._worth_context(verdict)
            if worth:
                verdict, cheap_context = self._with_context(text, context, verdict)
                cheap = cheap and cheap_context
        self.counts.messages += 1
        self.counts.ordinary += cheap
        return verdict

    def _worth_context(self, verdict: Verdict) -> bool:
        if verdict.flagged or self.model is None or verdict.model is None:
            return True
        return verdict.model[0] >= CONTEXT_GATE

    def _judge_text(self, text: str) -> tuple[Verdict, bool, tuple[float, float] | None]:
        """The verdict on ``text`` alone; whether the first pass settled it alone; and when
        it left the model's scores for later, the bounds (low, high) of the risky one."""
        verdict, cheap = self._rules(text)
        model = self.model
        if model is None or verdict.error is not None:
            return verdict, cheap, None
        if self._bounds is not None and verdict.level == "none":
            bounds = self._score_bounds(text)
            if bounds is not None and bounds.none_for_sure(model.policy):
                # What _with_model gives when the model says none, its scores on first use.
                scores = functools.partial(_scores, model, text)
                found = Verdict(
                    "none", verdict.score, verdict.reasons, verdict.suppressed, None, scores
                )
                return found, cheap, (bounds.low[0], bounds.high[0])
        return self._with_model(model, text, verdict), False, None

    def _score_bounds(self, text: str) -> ScoreBounds | None:
        if self._bounds is None:
            return None
        try:
            return ScoreBounds.of(self._bounds, text)
        except Exception:  # the full model decides
            log.exception("crisis model bounds failed on a message of %d characters", len(text))
            return None

    def _rules(self, text: str) -> tuple[Verdict, bool]:
        """The rules' verdict, and whether no rule's regex had to run for it."""
        try:
            return self.engine.judge(text)
        except Exception as exc:  # a crash must not take the message pipeline down
            log.exception("crisis detector failed on a message of %d characters", len(text))
            return Verdict("none", 0.0, error=f"{type(exc).__name__}: {exc}"), False

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
            return replace(verdict, _model=scores)
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
        score = self.engine.clamp(weights, LEVELS.index(level))
        return Verdict(level, score, [reason, *verdict.reasons], verdict.suppressed, None, scores)

    def _with_context(
        self, text: str, context: Sequence[str], verdict: Verdict
    ) -> tuple[Verdict, bool]:
        """Crisis when this message and the ones before it, read together, say crisis (and
        whether the first pass settled it alone)."""
        joined = " \n".join([*context, text])[-MAX_CONTEXT_CHARS:]
        rules, cheap = self._rules(joined)
        if rules.error is not None:
            return verdict, False
        if self.first_pass and rules.level == "none" and self._surely_not_crisis(joined):
            return verdict, cheap  # with the rules at none only the model could say crisis
        together = rules if self.model is None else self._with_model(self.model, joined, rules)
        if together.level != "crisis":
            return verdict, False
        model_says = together.model[1] if together.model else None
        if together.decided_by == "model" and (model_says or 0.0) < self._context_threshold():
            return verdict, False
        reason = Reason(
            rule=CONTEXT_REASON,
            category="context",
            label=CONTEXT_LABEL,
            level="crisis",
            span=(0, len(text)),
            text=text,
            score=model_says,
        )
        found = Verdict(
            "crisis",
            together.score,
            [reason, *verdict.reasons],
            verdict.suppressed,
            None,
            verdict.model,
        )
        return found, False

    def _surely_not_crisis(self, text: str) -> bool:
        if self.model is None:
            return True
        bounds = self._score_bounds(text)
        return bounds is not None and below(bounds.high[1], self.model.policy.crisis)

    def _context_threshold(self) -> float:
        return self.model.policy.context if self.model is not None else 1.0


def _scores(model: CrisisModel, text: str) -> tuple[float, float] | None:
    """The model's scores as `Detector._with_model` records them (None when it fails)."""
    try:
        risky, crisis = model.scores(text)
    except Exception:  # as in _with_model: the model is an extra
        log.exception("crisis model failed on a message of %d characters", len(text))
        return None
    return round(risky, 4), round(crisis, 4)


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
