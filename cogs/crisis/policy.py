"""How the rules' verdict and the learned model's two scores make one level (pure).

The rules are exact where they match (an explicit statement, a method with intent, Spanish);
the model decides the rest. Its thresholds come from the model file (``Policy``), chosen by
cross-validating this very function over the training data (tools/train_crisis_model.py).

- a rules crisis stays a crisis (the model never lowers a level);
- a rules concern becomes a crisis when the crisis score reaches ``raise_concern``;
- a rules none becomes a crisis at ``crisis``, else a concern at ``concern`` (risky score).
"""

from __future__ import annotations

from cogs.crisis.model import Policy
from cogs.crisis.rules import Level

MODEL_CRISIS = "model.crisis_language"
MODEL_RISKY = "model.risk_language"


def decide(rules: Level, risky: float, crisis: float, policy: Policy) -> tuple[Level, str | None]:
    """The final level, and the model reason that decided it (None when the rules did)."""
    if rules == "crisis":
        return "crisis", None
    if rules == "concern":
        if crisis >= policy.raise_concern:
            return "crisis", MODEL_CRISIS
        return "concern", None
    if crisis >= policy.crisis:
        return "crisis", MODEL_CRISIS
    if risky >= policy.concern:
        return "concern", MODEL_RISKY
    return "none", None
