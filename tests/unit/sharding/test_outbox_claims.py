"""The outbox across processes (issue 19): a due row is leased to one process only, each
process takes only its servers' rows, and a dead process's leases are released."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.crypto import PLAINTEXT
from bot.outbox.store import LEASE, OutboxStore
from bot.sharding import owned_sql
from bot.storage import Database

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

ROWS = 400


def guild_on(shard: int, n: int) -> int:
    """A server id on `shard` of 4 (the shard is bits 22+ of the id, mod the count)."""
    return ((n * 4 + shard) << 22) | 12345


async def fill(store: OutboxStore) -> None:
    rows = [(i, guild_on(i % 4, i), f"t:{i}") for i in range(ROWS)]
    await store.insert_many("t", rows, priority=1, after_commit=lambda: None)


def store_for(db: Database, clock: FakeClock, owner: str, shards: list[int]) -> OutboxStore:
    return OutboxStore(
        db, clock, PLAINTEXT, owner=owner, scope=lambda column: owned_sql(column, 4, shards)
    )


async def drain(store: OutboxStore) -> list[int]:
    got: list[int] = []
    while batch := await store.claim(7, set()):
        got += batch
        await asyncio.sleep(0)  # let the other process in between batches
    return got


async def test_two_processes_claiming_at_once_never_share_a_row(connect) -> None:
    clock = FakeClock(T0)
    a = store_for(await connect(), clock, "a", [0, 1, 2, 3])
    b = store_for(await connect(), clock, "b", [0, 1, 2, 3])
    await fill(a)
    got_a, got_b = await asyncio.gather(drain(a), drain(b))
    assert set(got_a) & set(got_b) == set()
    assert len(got_a) + len(got_b) == ROWS


async def test_each_process_takes_only_its_shards_rows(connect) -> None:
    clock = FakeClock(T0)
    a = store_for(await connect(), clock, "a", [0, 1])
    b = store_for(await connect(), clock, "b", [2, 3])
    await fill(a)
    ids_a, ids_b = set(await drain(a)), set(await drain(b))
    rows = await a.db.fetch_all("SELECT id, guild_id, lease_owner FROM outbox")
    for row_id, guild_id, owner in rows:
        assert owner == ("a" if (guild_id >> 22) % 4 in (0, 1) else "b")
        assert row_id in (ids_a if owner == "a" else ids_b)
    assert len(ids_a) == len(ids_b) == ROWS // 2


async def test_a_dead_process_s_leases_are_released_for_the_living(connect) -> None:
    clock = FakeClock(T0)
    dead = store_for(await connect(), clock, "dead", [0, 1, 2, 3])
    alive = store_for(await connect(), clock, "alive", [0, 1, 2, 3])
    await fill(dead)
    taken = await dead.claim(10, set())
    assert len(taken) == 10
    assert len(await drain(alive)) == ROWS - 10  # leased rows are not taken...
    await alive.release(keep={"alive"})  # ...until their process is known to be gone
    assert sorted(await drain(alive)) == sorted(taken)


async def test_a_lease_lapses_after_its_time(connect) -> None:
    clock = FakeClock(T0)
    a = store_for(await connect(), clock, "a", [0, 1, 2, 3])
    b = store_for(await connect(), clock, "b", [0, 1, 2, 3])
    await fill(a)
    taken = await a.claim(5, set())
    clock.advance(LEASE / 2)
    assert not set(taken) & set(await drain(b))
    clock.advance(LEASE)
    assert sorted(await b.claim(10, set())) == sorted(taken)
