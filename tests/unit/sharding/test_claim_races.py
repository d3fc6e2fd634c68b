"""Claims made at the same moment by two processes (two connection pools on one database):
exactly one wins, every time (issue 19). Meaningful on PostgreSQL (LANTERN_TEST_POSTGRES),
where processes write at once; on SQLite the single writer serialises them anyway."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

from bot.storage import Database
from cogs.checkins.nudge_store import NudgeStore
from cogs.checkins.prompt_store import PromptStore
from cogs.crisis.cadence import Cadence

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ROUNDS = 40


async def test_a_digest_day_is_claimed_once(two: tuple[Database, Database]) -> None:
    a, b = (PromptStore(db) for db in two)
    for n in range(ROUNDS):
        day = (T0 + timedelta(days=n)).date()
        won = await asyncio.gather(
            a.claim_digest_day(7, day, time(8), T0), b.claim_digest_day(7, day, time(8), T0)
        )
        assert sorted(won) == [False, True], n


async def test_a_nudge_is_claimed_once(two: tuple[Database, Database]) -> None:
    db_a, db_b = two
    for n in range(ROUNDS):
        prompt_id = await db_a.execute(
            "INSERT INTO checkin_prompts (guild_id, user_id, kind, due_at, local_day, status, "
            "created_at) VALUES (1, ?, 'now', ?, ?, 'sent', ?)",
            (n, T0.isoformat(), T0.date().isoformat(), T0.isoformat()),
        )
        won = await asyncio.gather(
            NudgeStore(db_a).mark_nudged(prompt_id, T0), NudgeStore(db_b).mark_nudged(prompt_id, T0)
        )
        assert sorted(won) == [False, True], n


async def test_the_support_message_is_claimed_once_per_period(
    two: tuple[Database, Database],
) -> None:
    a, b = (Cadence(db) for db in two)
    every = timedelta(hours=12)
    for n in range(ROUNDS):
        now = T0 + every * n + timedelta(seconds=1)
        won = await asyncio.gather(
            a.claim_outreach(1, 2, now, every), b.claim_outreach(1, 2, now, every)
        )
        assert sorted(won) == [False, True], n
    assert not await a.claim_outreach(1, 2, T0 + every * ROUNDS - timedelta(hours=1), every)
