"""DM events for another process's servers are handed over through the database and handled
there exactly once (issue 19)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.clock import FakeClock
from bot.crypto import PLAINTEXT
from bot.handoff import DmRouter, HandoffStore
from bot.storage import Database, apply_migrations, open_database

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
COUNT = 2
HOME_ON_1 = (1 << 22) | 77  # a server on shard 1
HOME_ON_0 = (2 << 22) | 77  # a server on shard 0


class Keeper:
    """What the router asks of the shard keeper."""

    def __init__(self, owned: set[int]) -> None:
        self.owned = self.serving = frozenset(owned)
        self.count = COUNT

    def serves(self, guild_id: int | None) -> bool:
        return (0 if guild_id is None else (guild_id >> 22) % COUNT) in self.serving

    def scope_of_shards(self, column: str = "shard_id") -> str:
        return f"{column} IN ({', '.join(map(str, sorted(self.serving)))})"


def router(db: Database, owned: set[int], seen: list[tuple[str, str]]) -> DmRouter:
    async def homes(user_id: int) -> list[int]:
        return {10: [HOME_ON_1], 20: [HOME_ON_0], 30: [HOME_ON_1, HOME_ON_0]}.get(user_id, [])

    r = DmRouter(Keeper(owned), HandoffStore(db, FakeClock(T0), PLAINTEXT), [homes], lambda: 1)
    parsers: dict[str, Any] = {
        event: (lambda data, event=event: seen.append((event, data["id"])))
        for event in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "INTERACTION_CREATE")
    }
    r.install(parsers)
    r.parsers = parsers  # type: ignore[attr-defined]  # the wrapped ones, as the gateway calls them
    return r


async def settle(*routers: DmRouter) -> None:
    """Let routing tasks finish, then take what was handed over."""
    for _ in range(5):
        await asyncio.sleep(0)
    pending = [t for t in asyncio.all_tasks() if t.get_name() == "lantern:handoff:route"]
    await asyncio.gather(*pending)
    for r in routers:
        for event, data in await r.store.take(r.keeper.scope_of_shards()):
            r._parsers[event](data)


def dm(event_id: str, user: int) -> dict[str, Any]:
    return {"id": event_id, "channel_id": "5", "author": {"id": str(user)}, "content": "hi"}


async def test_a_dm_for_another_process_s_server_is_handled_there_once(two) -> None:
    db_a, db_b = two
    seen_a: list[tuple[str, str]] = []
    seen_b: list[tuple[str, str]] = []
    a = router(db_a, {0}, seen_a)  # runs shard 0: receives every DM
    b = router(db_b, {1}, seen_b)
    a.parsers["MESSAGE_CREATE"](dm("m1", 10))  # the person's server is on shard 1
    a.parsers["MESSAGE_CREATE"](dm("m2", 20))  # on shard 0: handled here
    a.parsers["MESSAGE_CREATE"](dm("m3", 30))  # one of their servers is here: handled here
    a.parsers["MESSAGE_CREATE"](dm("m4", 99))  # nobody we know: handled here
    interaction = {"id": "i1", "type": 3, "user": {"id": "10"}, "data": {"custom_id": "x"}}
    a.parsers["INTERACTION_CREATE"](interaction)
    await settle(a, b)
    await settle(a, b)  # nothing more: each event once
    assert sorted(seen_a) == [("MESSAGE_CREATE", "m2"), ("MESSAGE_CREATE", "m3"),
                              ("MESSAGE_CREATE", "m4")]  # fmt: skip
    assert sorted(seen_b) == [("INTERACTION_CREATE", "i1"), ("MESSAGE_CREATE", "m1")]
    assert a.handed_over == 2


async def test_server_events_and_a_process_running_every_shard_are_not_routed(two) -> None:
    db_a, _ = two
    seen: list[tuple[str, str]] = []
    a = router(db_a, {0}, seen)
    a.parsers["MESSAGE_CREATE"]({**dm("g1", 10), "guild_id": str(HOME_ON_1)})
    assert seen == [("MESSAGE_CREATE", "g1")]  # at once, no lookup
    a.parsers["MESSAGE_CREATE"](dm("own", 1))  # Lantern's own DM (a prompt it sent)
    assert seen[-1] == ("MESSAGE_CREATE", "own")  # at once too
    everything = router(db_a, {0, 1}, seen)
    everything.parsers["MESSAGE_CREATE"](dm("m1", 10))
    assert seen[-1] == ("MESSAGE_CREATE", "m1")
    rows = await db_a.fetch_one("SELECT COUNT(*) FROM gateway_handoffs")
    assert rows is not None and rows[0] == 0


async def test_handoffs_hold_no_readable_text(database_url) -> None:
    db = await open_database(database_url)
    await apply_migrations(db, T0)
    from bot.crypto import Cipher, generate_key

    store = HandoffStore(db, FakeClock(T0), Cipher([generate_key()]))
    await store.put(1, "MESSAGE_CREATE", dm("m1", 10) | {"content": "a very private line"})
    row = await db.fetch_one("SELECT payload FROM gateway_handoffs")
    assert row is not None and "private" not in row[0]
    taken = await store.take("shard_id IN (1)")
    assert taken[0][1]["content"] == "a very private line"
    await db.close()
