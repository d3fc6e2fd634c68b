"""DMs for another process's servers (issue 19).

Discord sends every DM event (a message, a button on a DM'd check-in, a modal) to shard 0,
whichever process runs it. When the person's servers are all served by other processes,
this process does not handle the event (it has none of those servers in its cache): it
writes the raw event to `gateway_handoffs` for the shard of the person's server, and the
process running that shard feeds it to discord.py as if it had arrived there. An
interaction's token works from any process, so the answer reaches the person the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.crypto import Cipher
from bot.shard_keeper import ShardKeeper
from bot.sharding import shard_of
from bot.storage import Database
from bot.tasks import create_task

log = logging.getLogger(__name__)

ROUTED = ("MESSAGE_CREATE", "MESSAGE_UPDATE", "INTERACTION_CREATE")
"""DM events a feature acts on: messages (screening, conversations), buttons and modals."""
KEEP = timedelta(minutes=15)
"""An interaction's token lasts 15 minutes; a handoff older than that can't be answered."""
POLL_SECONDS = 0.2
"""How often handed-over events are looked for: an interaction must be answered within 3 s."""

Parser = Callable[[dict[str, Any]], None]
Homes = Callable[[int], Awaitable[list[int]]]


class HandoffStore:
    def __init__(self, db: Database, clock: Clock, cipher: Cipher) -> None:
        self.db = db
        self.clock = clock
        self.cipher = cipher

    async def put(self, shard_id: int, event: str, data: dict[str, Any]) -> None:
        await self.db.execute(
            "INSERT INTO gateway_handoffs (shard_id, event, payload, created_at) "
            "VALUES (?, ?, ?, ?)",
            (shard_id, event, self.cipher.encrypt(json.dumps(data)), self._iso(self.clock.now())),
        )

    async def take(self, scope: str, limit: int = 50) -> list[tuple[str, dict[str, Any]]]:
        """Remove and return events for this process's shards (`scope`: a SQL condition on
        `shard_id`), oldest first; each goes to one process only."""
        lock = " FOR UPDATE SKIP LOCKED" if self.db.backend == "postgresql" else ""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "DELETE FROM gateway_handoffs WHERE id IN (SELECT id FROM gateway_handoffs "  # noqa: S608
                f"WHERE {scope} ORDER BY id LIMIT ?{lock}) RETURNING id, event, payload",
                (limit,),
            )
        taken = []
        for _, event, payload in sorted(rows, key=lambda r: r[0]):
            taken.append((event, json.loads(self.cipher.decrypt(payload) or "{}")))
        return taken

    async def prune(self) -> None:
        await self.db.execute(
            "DELETE FROM gateway_handoffs WHERE created_at < ?",
            (self._iso(self.clock.now() - KEEP),),
        )

    @staticmethod
    def _iso(moment: datetime) -> str:
        return moment.isoformat(timespec="microseconds")


class DmRouter:
    """Installed on the gateway parsers of a process that runs some of the shards."""

    def __init__(
        self,
        keeper: ShardKeeper,
        store: HandoffStore,
        homes: list[Homes],
        bot_user: Callable[[], int | None],
    ) -> None:
        self.keeper = keeper
        self.store = store
        self.homes = homes
        """Features that know a person's servers (most relevant first): `person_homes`."""
        self._bot_user = bot_user
        self._parsers: dict[str, Parser] = {}
        self._task: asyncio.Task[None] | None = None
        self.handed_over = 0
        self.taken_over = 0

    def install(self, parsers: dict[str, Parser]) -> None:
        """Wrap discord.py's parsers for the routed events (the dict the gateway reads)."""
        for event in ROUTED:
            original = parsers[event]
            self._parsers[event] = original
            parsers[event] = self._wrap(event, original)

    def _wrap(self, event: str, original: Parser) -> Parser:
        def parse(data: dict[str, Any]) -> None:
            person = _person(data)
            if (
                data.get("guild_id") is not None  # a server's event reaches its own shard
                or len(self.keeper.serving) >= self.keeper.count  # we run them all
                or person is None
                or person == self._bot_user()  # Lantern's own DMs (prompts...) stay here
            ):
                original(data)
                return
            create_task(self._route(event, original, data, person), name="lantern:handoff:route")

        return parse

    async def _route(self, event: str, original: Parser, data: dict[str, Any], person: int) -> None:
        guilds: list[int] = []
        for homes in self.homes:
            guilds += await homes(person)
        # Handled here if one of their servers is served here; a server on a shard taken
        # over but not ready yet is handed over too, and taken back here once it is.
        if not guilds or any(self.keeper.serves(g) for g in guilds):
            original(data)
            return
        shard = shard_of(guilds[0], self.keeper.count)
        await self.store.put(shard, event, data)
        self.handed_over += 1
        log.info("DM event handed to another process", extra={"event": event, "shard": shard})

    def start(self) -> None:
        self._task = create_task(self._run(), name="lantern:handoff")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        pruned = 0
        while True:
            try:
                for event, data in await self.store.take(self.keeper.scope_of_shards()):
                    self.taken_over += 1
                    self._parsers[event](data)
                pruned += 1
                if pruned % 300 == 0:
                    await self.store.prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("taking handed-over DM events failed; retrying")
            await asyncio.sleep(POLL_SECONDS)


def _person(data: dict[str, Any]) -> int | None:
    who = data.get("author") or data.get("user") or (data.get("member") or {}).get("user")
    return int(who["id"]) if isinstance(who, dict) and "id" in who else None
