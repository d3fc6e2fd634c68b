"""Shard leases between processes sharing one database (issue 19): claim, renew, take
over, hand back; on PostgreSQL too (LANTERN_TEST_POSTGRES), where each "process" has its own
connection pool."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.shard_keeper import ShardKeeper
from bot.shard_leases import ShardCountMismatch, ShardLeases
from bot.storage import Database

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

LEASE = 30.0


class Wall:
    """The leases' clock, moved by hand."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    async def __call__(self) -> float:
        return self.t


@pytest.fixture
def wall() -> Wall:
    return Wall()


def leases(db: Database, name: str, home: list[int], wall: Wall, count: int = 4) -> ShardLeases:
    return ShardLeases(db, name, count, home, LEASE, clock=wall)


async def test_each_process_claims_its_home_shards(connect, wall) -> None:
    a = leases(await connect(), "a", [0, 1], wall)
    b = leases(await connect(), "b", [2, 3], wall)
    assert (await a.tick(adopt=True)).held == {0, 1}
    assert (await b.tick(adopt=True)).held == {2, 3}
    # Renewing keeps them; nobody takes a live lease.
    wall.t += LEASE * 0.9
    assert (await a.tick(adopt=True)).held == {0, 1}
    assert (await b.tick(adopt=True)).held == {2, 3}
    assert await a.live_owners() == {"a", "b"}


async def test_a_dead_process_s_shards_are_taken_over_then_handed_back(connect, wall) -> None:
    a = leases(await connect(), "a", [0, 1], wall)
    b = leases(await connect(), "b", [2, 3], wall)
    await a.tick(adopt=True)
    await b.tick(adopt=True)
    wall.t += LEASE / 3
    await b.tick(adopt=True)  # b renews; a has died (no more ticks)
    wall.t += LEASE  # a's lease has run out, b's not
    tick = await b.tick(adopt=True)
    assert tick.took_over == {0, 1}
    assert tick.held == {0, 1, 2, 3}
    # a comes back (a new process, a new name): its shards are held, so it asks for them.
    a2 = leases(await connect(), "a2", [0, 1], wall)
    assert (await a2.tick(adopt=True)).held == set()
    tick = await b.tick(adopt=True)
    assert tick.hand_back == {0, 1}
    for shard in tick.hand_back:
        await b.hand_back(shard)
    # Reserved for a2: b, ticking again, does not take them back.
    assert (await b.tick(adopt=True)).held == {2, 3}
    assert (await a2.tick(adopt=True)).held == {0, 1}
    assert (await b.tick(adopt=True)).hand_back == set()


async def test_a_handed_back_shard_whose_home_died_meanwhile_is_taken_again(connect, wall) -> None:
    b = leases(await connect(), "b", [2, 3], wall)
    a2 = leases(await connect(), "a2", [0, 1], wall)
    a = leases(await connect(), "a", [0, 1], wall)
    await a.tick(adopt=True)
    await b.tick(adopt=True)
    wall.t += LEASE * 1.5
    await b.tick(adopt=True)  # takes 0, 1 over
    await a2.tick(adopt=True)  # wants them
    for shard in (await b.tick(adopt=True)).hand_back:
        await b.hand_back(shard)
    # a2 dies before claiming: after the reservation, b serves them again (and only once).
    wall.t += LEASE * 1.5
    tick = await b.tick(adopt=True)
    assert tick.held == {0, 1, 2, 3}
    assert (await b.tick(adopt=True)).hand_back == set()  # no flapping: the wish is gone


async def test_a_clean_stop_frees_the_shards_at_once(connect, wall) -> None:
    a = leases(await connect(), "a", [0, 1], wall)
    b = leases(await connect(), "b", [2, 3], wall)
    await a.tick(adopt=True)
    await b.tick(adopt=True)
    await a.release_all()
    wall.t += 0.001
    assert (await b.tick(adopt=True)).took_over == {0, 1}


async def test_two_processes_taking_over_at_once_never_share_a_shard(connect, wall) -> None:
    dead = leases(await connect(), "dead", [0, 1, 2, 3], wall)
    b = leases(await connect(), "b", [], wall)
    c = leases(await connect(), "c", [], wall)
    for _ in range(20):
        await dead.tick(adopt=True)
        wall.t += LEASE * 2
        got_b, got_c = await asyncio.gather(b.tick(adopt=True), c.tick(adopt=True))
        assert got_b.took_over | got_c.took_over == {0, 1, 2, 3}
        assert got_b.took_over & got_c.took_over == set()
        await b.release_all()
        await c.release_all()
        dead.owner = f"dead{_}"
        wall.t += 0.001


async def test_a_process_with_another_shard_count_is_refused(connect, wall) -> None:
    a = leases(await connect(), "a", [0, 1], wall, count=4)
    await a.tick(adopt=True)
    other = leases(await connect(), "x", [0], wall, count=2)
    with pytest.raises(ShardCountMismatch, match="LANTERN_SHARD_COUNT"):
        await other.check_count()
    # Once the old processes are gone, a new count starts afresh.
    wall.t += LEASE * 2
    await other.check_count()
    assert (await other.tick(adopt=True)).held == {0}


async def test_the_keeper_starts_and_stops_shards_as_leases_move(connect, wall) -> None:
    calls: list[tuple[str, int]] = []
    changes: list[tuple[set[int], set[int]]] = []

    async def launch(shard: int) -> None:
        calls.append(("launch", shard))

    async def stop(shard: int) -> None:
        calls.append(("stop", shard))

    async def changed(added: set[int], removed: set[int]) -> None:
        changes.append((added, removed))

    a = ShardKeeper(leases(await connect(), "a", [0, 1], wall), launch=launch, stop=stop,
                    on_change=changed)  # fmt: skip
    b = ShardKeeper(leases(await connect(), "b", [2, 3], wall), launch=launch, stop=stop,
                    on_change=changed)  # fmt: skip
    assert await a.claim_initial(retry=0.01) == [0, 1]
    assert await b.claim_initial(retry=0.01) == [2, 3]
    wall.t += LEASE * 2  # a's first connect is slow; b's keeper, not started yet, renews...
    await b.tick()
    await a.tick()  # ...and a keeps its own shards without taking b's
    assert (a.owned, b.owned) == ({0, 1}, {2, 3}) and calls == []
    a.started = b.started = True  # both connected
    assert a.owns(0) and not a.owns(2 << 22) and b.owns(3 << 22) and a.owns(None)
    assert "IN (0, 1)" in a.scope("guild_id")
    wall.t += LEASE * 2  # both stalled; b ticks first and takes everything
    await b.tick()
    await asyncio.gather(*b._launching)
    assert sorted(calls) == [("launch", 0), ("launch", 1)]
    assert b.owned == {0, 1, 2, 3}
    assert b.serving == {2, 3}  # taken-over shards serve once their servers are cached
    b.ready(0)
    b.ready(1)
    assert b.serving == {0, 1, 2, 3} and "1 = 1" in b.scope("guild_id")
    calls.clear()
    await a.tick()  # a finds its leases gone: it stops those shards and asks for them back
    assert sorted(calls) == [("stop", 0), ("stop", 1)] and a.owned == frozenset()
    calls.clear()
    await b.tick()  # hands 0 and 1 back
    assert sorted(calls) == [("stop", 0), ("stop", 1)] and b.owned == {2, 3}
    calls.clear()
    await a.tick()
    await asyncio.gather(*a._launching)
    assert sorted(calls) == [("launch", 0), ("launch", 1)] and a.owned == {0, 1}
    await a.stop()
    await b.stop()


def test_identifies_are_spaced_per_bucket_and_only_as_needed() -> None:
    from bot.shard_control import IdentifyPacer

    now = [100.0]
    pacer = IdentifyPacer(max_concurrency=1, clock=lambda: now[0])
    assert pacer.delay(0) == 0.0  # nothing identified lately: at once
    assert pacer.delay(1) == 5.0  # the next one waits its 5 s...
    assert pacer.delay(2) == 10.0  # ...and the one after, behind it
    now[0] += 60.0
    assert pacer.delay(3) == 0.0  # a takeover minutes later: at once
    wide = IdentifyPacer(max_concurrency=2, clock=lambda: now[0])
    assert (wide.delay(0), wide.delay(1), wide.delay(2)) == (0.0, 0.0, 5.0)
