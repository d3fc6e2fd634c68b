"""bot/outbox/policy: backoff with jitter, the sorting of errors, and the decision after a
failed attempt (pure: no database, no sending)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import aiohttp
import discord
import pytest

from bot.outbox import (
    PERSON,
    SAFETY,
    URGENT,
    NotYet,
    Policy,
    Undeliverable,
    after_failure,
    classify,
    is_permanent,
)

SHORT = Policy(priority=1, delays=(10.0, 20.0))
FOREVER = Policy(priority=0, delays=(10.0, 20.0), forever=True)


def http_error(status: int, code: int = 0) -> discord.HTTPException:
    # HTTPException reads only status and reason from the response.
    response = cast("aiohttp.ClientResponse", SimpleNamespace(status=status, reason="reason"))
    return discord.HTTPException(response, {"code": code, "message": "refused"})


def test_delay_follows_the_table_with_jitter_then_stops() -> None:
    for attempts, base in ((1, 10.0), (2, 20.0)):
        for _ in range(50):
            delay = SHORT.delay(attempts)
            assert delay is not None and 0.75 * base <= delay <= 1.25 * base
    assert SHORT.delay(3) is None


def test_forever_repeats_the_last_delay() -> None:
    for attempts in (3, 10, 1000):
        delay = FOREVER.delay(attempts)
        assert delay is not None and 15.0 <= delay <= 25.0


def test_presets() -> None:
    assert SAFETY.forever and not SAFETY.paced and SAFETY.priority == 0
    assert not URGENT.forever and not PERSON.forever


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (http_error(500), ("transient", "500", None)),
        (http_error(429), ("transient", "429", None)),
        (http_error(403, 50013), ("permanent", "403 50013", None)),
        (http_error(404), ("permanent", "404", None)),
        (TimeoutError(), ("transient", "TimeoutError", None)),
        (aiohttp.ClientConnectionError(), ("transient", "ClientConnectionError", None)),
        (OSError(), ("transient", "OSError", None)),
        (Undeliverable("no target in guild 1"), ("permanent", "no target in guild 1", None)),
        (ValueError("oops"), ("bug", "ValueError", None)),
    ],
)
def test_classify(error: BaseException, expected: tuple[str, str, float | None]) -> None:
    assert classify(error) == expected


def test_rate_limited_carries_discords_wait() -> None:
    assert classify(discord.RateLimited(42.0)) == ("transient", "429", 42.0)


def test_is_permanent_only_for_discord_refusals() -> None:
    assert is_permanent(http_error(403))
    assert not is_permanent(http_error(503))
    assert not is_permanent(Undeliverable("x"))  # not a Discord error: the item's own verdict


def test_permanent_gives_up_unless_forever() -> None:
    gave_up = after_failure(SHORT, http_error(403), 1)
    assert gave_up.delay is None and gave_up.reason == "403" and not gave_up.trace
    kept = after_failure(FOREVER, http_error(403), 1)
    assert kept.delay is not None and kept.loud


def test_transient_retries_quietly_until_the_table_ends() -> None:
    retry = after_failure(SHORT, TimeoutError(), 2)
    assert retry.delay is not None and not retry.loud and not retry.trace
    assert after_failure(SHORT, TimeoutError(), 3).delay is None


def test_bug_is_retried_loudly_with_its_traceback() -> None:
    retry = after_failure(SHORT, ValueError(), 1)
    assert retry.delay is not None and retry.loud and retry.trace


def test_never_sooner_than_discord_asked() -> None:
    assert after_failure(SHORT, discord.RateLimited(600.0), 1).delay == 600.0


def test_not_yet_says_when() -> None:
    assert NotYet(2.5).seconds == 2.5
