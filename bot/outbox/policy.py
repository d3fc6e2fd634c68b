"""How the outbox treats a failed attempt: retry policies per kind, the sorting of errors
into transient, permanent and bugs, and the decision after one failure (pure: no database,
no sending; only `classify` knows discord's exception types)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import aiohttp
import discord


@dataclass(frozen=True)
class Policy:
    """How a kind is retried. `delays` are seconds before retries 1, 2, ...; the last
    repeats while `forever`, else the item fails after the last."""

    priority: int
    delays: tuple[float, ...]
    forever: bool = False
    paced: bool = True
    """Wait for the shared pacer (bulk sends); safety items never queue behind bulk."""

    def delay(self, attempts: int) -> float | None:
        if attempts <= len(self.delays):
            base = self.delays[attempts - 1]
        elif self.forever:
            base = self.delays[-1]
        else:
            return None
        return base * random.uniform(0.75, 1.25)  # noqa: S311 - jitter, not security


SAFETY = Policy(
    priority=0, delays=(1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0), forever=True, paced=False
)
URGENT = Policy(priority=1, delays=(1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 300.0, 1800.0))
"""Reports to staff: retried quickly, but not forever."""
PERSON = Policy(priority=1, delays=(1.0, 3.0, 10.0, 30.0, 120.0, 600.0, 1800.0))
ROUTINE = Policy(priority=2, delays=(5.0, 30.0, 120.0, 600.0, 1800.0))


class NotYet(Exception):
    """The item cannot go yet (e.g. a follow-up before its alert is posted): try again
    after `seconds` without counting a failure."""

    def __init__(self, seconds: float = 1.0) -> None:
        super().__init__(f"not yet, retry in {seconds}s")
        self.seconds = seconds


class Undeliverable(Exception):
    """Every target refused for good (reason says why, with ids only)."""


def is_permanent(error: BaseException) -> bool:
    """A Discord refusal that retrying will not heal (missing permission, deleted channel,
    closed DMs): the item's fallback, not a retry."""
    return isinstance(error, discord.HTTPException) and classify(error)[0] == "permanent"


def classify(error: BaseException) -> tuple[str, str, float | None]:
    """(verdict, short reason, wait) for an exception from a handler: verdict is
    "transient", "permanent" or "bug"; wait is Discord's retry_after when it gave one."""
    if isinstance(error, discord.RateLimited):
        return "transient", "429", error.retry_after
    if isinstance(error, discord.HTTPException):
        reason = f"{error.status} {error.code}" if error.code else str(error.status)
        if error.status >= 500 or error.status == 429:
            return "transient", reason, None
        return "permanent", reason, None
    if isinstance(error, TimeoutError | aiohttp.ClientError | OSError | discord.ConnectionClosed):
        return "transient", type(error).__name__, None
    if isinstance(error, Undeliverable):
        return "permanent", str(error)[:200], None
    return "bug", type(error).__name__, None


@dataclass(frozen=True)
class AfterFailure:
    """What one failed attempt leads to."""

    delay: float | None
    """Seconds until the next attempt, or None: give up for good."""
    reason: str
    loud: bool
    """Log a retry at ERROR (a safety item still undelivered, or a bug), not WARNING."""
    trace: bool
    """Log the traceback: the handler itself raised something unexpected."""


def after_failure(policy: Policy, error: BaseException, attempts: int) -> AfterFailure:
    """The decision after failed attempt number `attempts` (counting this one)."""
    verdict, reason, wait = classify(error)
    delay = policy.delay(attempts)
    if verdict == "permanent" and not policy.forever:
        delay = None
    if delay is not None and wait is not None:
        delay = max(delay, wait)  # never sooner than Discord asked
    return AfterFailure(
        delay=delay, reason=reason, loud=policy.forever or verdict == "bug", trace=verdict == "bug"
    )
