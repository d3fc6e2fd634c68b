"""The delivery loop: claims due rows, runs each through its kind's handler, and records the
outcome (sent, retry later, or given up with an incident id)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.outbox.items import Handler, Item
from bot.outbox.pacer import Pacer
from bot.outbox.policy import NotYet, Policy, after_failure
from bot.outbox.store import OutboxStore
from bot.tree import new_incident_id

# The outbox's one logger, under its historical name (operators filter on it).
log = logging.getLogger("bot.outbox")

ATTEMPT_TIMEOUT = 30.0
"""Seconds one delivery attempt may take; a stalled request is retried (the nonce makes a
late first answer harmless)."""
PRUNE_EVERY = 3600.0


@dataclass
class Kind:
    """What a feature registered for one kind of item."""

    handler: Handler
    policy: Policy
    on_give_up: Callable[[Item], Awaitable[None]] | None = None


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class DeliveryWorker:
    """Given the store, the registered kinds (read at each attempt, so a kind registered
    later is picked up), the pacer and the counters to keep."""

    def __init__(
        self,
        store: OutboxStore,
        kinds: Mapping[str, Kind],
        pacer: Pacer,
        stats: Stats,
        *,
        workers: int,
        track: Callable[[], contextlib.AbstractContextManager[None]],
        poll: float | None = None,
    ) -> None:
        self.store = store
        self._poll = poll
        """Look again at least this often (seconds) when rows may be written by other
        processes, which can't wake this one; None when this process writes them all."""
        self.kinds = kinds
        self.pacer = pacer
        self.stats = stats
        self._workers = workers
        self._track = track
        self._wake = asyncio.Event()
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._settled = asyncio.Event()

    def start(self, ready: Callable[[], Awaitable[Any]]) -> None:
        self._stopping = False
        self._loop_task = asyncio.create_task(self._run(ready), name="lantern:outbox")

    def poke(self) -> None:
        self._settled.clear()
        self._wake.set()

    async def stop(self, timeout: float) -> None:  # noqa: ASYNC109
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=timeout)
            for task in late:
                task.cancel()

    async def settled(self, timeout: float) -> None:  # noqa: ASYNC109
        self.poke()
        await asyncio.wait_for(self._settled.wait(), timeout)

    async def _run(self, ready: Callable[[], Awaitable[Any]]) -> None:
        await ready()
        pruned = 0.0
        while not self._stopping:
            self._wake.clear()
            if time.monotonic() - pruned > PRUNE_EVERY:
                await self.store.prune()
                pruned = time.monotonic()
            free = self._workers - len(self._busy)
            try:
                due = await self.store.claim(free, self._busy) if free > 0 else []
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must outlive a failed claim (a locked or busy file)
                incident = new_incident_id()
                log.exception(
                    "outbox claim failed; retrying (incident %s)", incident,
                    extra={"incident": incident},
                )  # fmt: skip
                await asyncio.sleep(1.0)
                continue
            for item_id in due:
                self._busy.add(item_id)
                task = asyncio.create_task(self._attempt(item_id), name=f"outbox:{item_id}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if due:
                continue  # more may be due: ask again (highest priority first)
            if not self._busy:
                wait = await self.store.seconds_to_next()
                if wait is None:
                    self._settled.set()
            else:
                wait = None  # a finishing attempt pokes
            timeout = self._poll if wait is None else min(max(wait, 0.01), 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _attempt(self, item_id: int) -> None:
        try:
            with self._track():
                item = await self.store.load(item_id)
                if item is None:
                    return
                kind = self.kinds.get(item.kind)
                if kind is None:
                    # The feature isn't loaded (yet): leave it pending for when it is.
                    await self.store.reschedule(item, 5.0, count=False, reason="no handler")
                    return
                await self._deliver(item, kind)
        except Exception:  # the worker must outlive anything; the database may be closing
            log.exception("outbox attempt crashed", extra={"outbox_id": item_id})
        finally:
            self._busy.discard(item_id)
            self._wake.set()

    async def _deliver(self, item: Item, kind: Kind) -> None:
        if kind.policy.paced:
            await self.pacer.wait()
        ids = {"outbox_id": item.id, "kind": item.kind, "subject_id": item.subject_id}
        try:
            landed = await asyncio.wait_for(kind.handler(item), ATTEMPT_TIMEOUT)
        except NotYet as wait:
            await self.store.reschedule(item, wait.seconds, count=False, reason="not yet")
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if await self._failed(item, kind.policy, error, ids) and kind.on_give_up:
                await kind.on_give_up(item)
            return
        await self.store.done(item, landed)
        self.stats.sent += 1
        if item.attempts:
            log.info("delivered after retries", extra={**ids, "attempts": item.attempts + 1})

    async def _failed(
        self, item: Item, policy: Policy, error: Exception, ids: dict[str, Any]
    ) -> bool:
        """Log and reschedule (False), or give up for good (True)."""
        attempts = item.attempts + 1
        decision = after_failure(policy, error, attempts)
        incident = new_incident_id()
        context = {**ids, "attempt": attempts, "reason": decision.reason, "incident": incident}
        exc_info = error if decision.trace else None
        if decision.delay is None:
            log.error(
                "could not deliver; giving up (incident %s)",
                incident,
                extra=context,
                exc_info=exc_info,
            )
            await self.store.give_up(item, decision.reason, incident)
            self.stats.failed += 1
            return True
        if decision.loud:
            # A safety message that has not landed yet: somebody must know now.
            log.error(
                "delivery failed, retrying in %.0fs (incident %s)",
                decision.delay,
                incident,
                extra=context,
                exc_info=exc_info,
            )
        else:
            log.warning("delivery failed, will retry", extra=context)
        self.stats.retried += 1
        await self.store.reschedule(
            item, decision.delay, count=True, reason=decision.reason, incident=incident
        )
        return False
