"""`Outbox`: what features call (register a kind, enqueue, look up, health) and what the
bot calls (start, stop); it composes the store, the pacer and the delivery worker."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from bot.clock import Clock
from bot.crypto import PLAINTEXT, Cipher
from bot.outbox.items import Handler, Item
from bot.outbox.pacer import DEFAULT_RATE, Pacer
from bot.outbox.policy import Policy
from bot.outbox.store import Health, OutboxStore
from bot.outbox.worker import DeliveryWorker, Kind, Stats
from bot.storage import Database, Transaction


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        cipher: Cipher = PLAINTEXT,
        *,
        workers: int = 16,
        rate: float = DEFAULT_RATE,
        track: Callable[[], contextlib.AbstractContextManager[None]] | None = None,
        owner: str = "",
        scope: Callable[[str], str] | None = None,
        poll: float | None = None,
    ) -> None:
        """`owner`, `scope` and `poll`: when several processes share the database, this
        process's lease name, the SQL condition for its servers, and how often to look for
        rows the others wrote (see `OutboxStore`, `DeliveryWorker`)."""
        self.db = db
        self.clock = clock
        self.cipher = cipher
        self.pacer = Pacer(rate)
        self.stats = Stats()
        self.store = OutboxStore(db, clock, cipher, owner=owner, scope=scope)
        self._kinds: dict[str, Kind] = {}
        self._worker = DeliveryWorker(
            self.store,
            self._kinds,
            self.pacer,
            self.stats,
            workers=workers,
            track=track or contextlib.nullcontext,
            poll=poll,
        )

    # --- features -----------------------------------------------------------------------

    def register(
        self,
        kind: str,
        handler: Handler,
        policy: Policy,
        *,
        on_give_up: Callable[[Item], Awaitable[None]] | None = None,
    ) -> None:
        """`on_give_up` records the failure in the feature's own state (a prompt that
        never went out is `failed` for facilitators to see)."""
        self._kinds[kind] = Kind(handler, policy, on_give_up)

    def unregister(self, kind: str) -> None:
        self._kinds.pop(kind, None)

    async def enqueue(
        self,
        kind: str,
        subject_id: int,
        *,
        guild_id: int | None,
        key: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> int | None:
        """Write the intent to deliver. Call it inside the transaction that records the
        fact, so both commit or neither. One row per `key` (default `kind:subject_id`):
        enqueueing the same fact twice is a no-op (returns None)."""
        return await self.store.insert(
            kind,
            subject_id,
            guild_id=guild_id,
            key=key or f"{kind}:{subject_id}",
            payload=payload,
            priority=self._policy(kind).priority,
            after_commit=self.poke,
        )

    async def enqueue_many(self, kind: str, items: Sequence[tuple[int, int | None, str]]) -> None:
        """`enqueue` for many facts of one kind at once, in one statement (a daily run that
        reaches thousands of people): (subject id, guild id, key), no payload. Keys already
        there are skipped."""
        if items:
            await self.store.insert_many(
                kind, items, priority=self._policy(kind).priority, after_commit=self.poke
            )

    def _policy(self, kind: str) -> Policy:
        if kind not in self._kinds:
            raise KeyError(f"no outbox handler registered for {kind!r}")
        return self._kinds[kind].policy

    async def pending(self, kind: str, subject_id: int) -> bool:
        return await self.store.pending(kind, subject_id)

    async def rewrite_pending(
        self, kinds: Sequence[str], subject_id: int, changes: Mapping[str, Any]
    ) -> int:
        """Pending items about `subject_id` get `changes` merged into their payload (a
        person's words withdrawn before delivery). An item already being delivered is not
        affected. Returns how many changed."""
        return await self.store.rewrite_pending(kinds, subject_id, changes)

    @staticmethod
    async def landed(
        tx: Transaction, kinds: Sequence[str], subject_id: int
    ) -> set[tuple[int, int]]:
        """(channel id, message id) where items of these kinds about `subject_id` landed
        (delivered rows are kept for `KEEP_DONE`)."""
        return await OutboxStore.landed(tx, kinds, subject_id)

    # --- health -------------------------------------------------------------------------

    async def health(self, guild_id: int | None = None) -> Health:
        return await self.store.health(guild_id)

    # --- the worker ---------------------------------------------------------------------

    def start(self, ready: Callable[[], Awaitable[Any]]) -> None:
        """Start delivering once `ready()` returns (the gateway is up, caches are full)."""
        self._worker.start(ready)

    def poke(self) -> None:
        self._worker.poke()

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Take no new items; let attempts in flight finish (a cancelled request may have
        reached Discord without being recorded: the nonce covers that on the next start)."""
        await self._worker.stop(timeout)

    async def settled(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until nothing is pending and nothing is in flight (tests, benchmarks)."""
        await self._worker.settled(timeout)
