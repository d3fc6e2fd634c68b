"""What the crisis detector says about one message: `Verdict`, its `Reason`s, `Suppressed` cues.

Pure data (no discord, no database); `detector.py` re-exports these names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cogs.crisis.rules import Level

__all__ = ["Reason", "Suppressed", "Verdict"]


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


Scores = tuple[float, float]


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Verdict:
    """The judgement on one message: level, score in [0, 1] and the reasons behind it.

    ``reasons`` is a list (strongest level first); ``suppressed`` lists cues a modifier
    cancelled, for debugging; ``error`` is set only when classification failed internally
    (the verdict is then ``none`` and the failure is logged); ``model`` (the sixth argument)
    the model's (risky, crisis) scores when a model ran, or a function giving them: the
    detector's first pass leaves them to be worked out on first use (only an alert records
    them), and `model` then gives the same numbers the model would have given at once.
    """

    level: Level
    score: float
    reasons: list[Reason] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    error: str | None = None
    _model: Scores | Callable[[], Scores | None] | None = None

    @property
    def model(self) -> Scores | None:
        """The model's (risky, crisis) scores rounded to 4 decimals, when a model ran."""
        value = self._model
        if callable(value):
            value = value()
            object.__setattr__(self, "_model", value)  # worked out once (frozen otherwise)
        return value

    def _fields(self) -> tuple[object, ...]:
        return (self.level, self.score, self.reasons, self.suppressed, self.error, self.model)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        names = ("level", "score", "reasons", "suppressed", "error", "model")
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True))
        return f"Verdict({shown})"

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
