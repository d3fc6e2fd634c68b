"""The outbox: what must reach a person is written down first, then delivered until it lands.

A feature announces a fact (an alert was raised, a prompt is due) by writing an outbox row
in the same transaction as the fact itself (`enqueue`). One worker delivers rows through
the handler the feature registered for that kind. A crash at any point leaves the row
pending, and the next start resumes it. Handlers send with `item.nonce(...)`: Discord
returns the message already created with that nonce instead of posting it twice, so a retry
after a crash between Discord's answer and our commit does not double-post.

Failures are sorted here, once for every feature:
- transient (5xx, timeouts, connection errors, Discord rate limits that outlast
  discord.py's own waiting): retried with backoff and jitter;
- permanent 4xx a handler did not absorb with its own fallback, or `Undeliverable`: the
  item is `failed` at once, logged at ERROR with an incident id;
- safety items (`Policy.forever`) never give up while their handler still wants them
  delivered: every failed attempt is logged at ERROR with an incident id, and retried.
No discord imports in the decisions; `classify` maps exceptions to those three.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import discord

from bot.clock import Clock
from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database, Transaction
from bot.tree import new_incident_id

log = logging.getLogger(__name__)

ATTEMPT_TIMEOUT = 30.0
"""Seconds one delivery attempt may take; a stalled request is retried (the nonce makes a
late first answer harmless)."""
KEEP_DONE = timedelta(days=7)
"""Delivered and failed rows are kept this long for `/setup check` and audits."""
PRUNE_EVERY = 3600.0
DEFAULT_RATE = 45.0
"""Paced sends per second: Discord allows 50 per bot, leaving room for everything else."""


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


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    guild_id: int | None
    subject_id: int
    payload: dict[str, Any]
    attempts: int
    """Failed attempts so far."""
    created_at: datetime

    def nonce(self, step: str = "") -> str:
        """A nonce for one message this item posts (Discord allows 25 characters)."""
        return f"L{self.id}{step}"[:25]


@dataclass(frozen=True)
class Landed:
    """Where an item went: `where` is a word for people ("escalation", "log", "dm"...)."""

    where: str
    channel_id: int | None = None
    message_id: int | None = None


class NotYet(Exception):
    """The item cannot go yet (e.g. a follow-up before its alert is posted): try again
    after `seconds` without counting a failure."""

    def __init__(self, seconds: float = 1.0) -> None:
        super().__init__(f"not yet, retry in {seconds}s")
        self.seconds = seconds


class Undeliverable(Exception):
    """Every target refused for good (reason says why, with ids only)."""


Handler = Callable[[Item], Awaitable[Landed | None]]
"""Delivers one item; returns where it landed, or None when it no longer needs sending
(the alert was acknowledged meanwhile, the prompt expired)."""


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


@dataclass
class Health:
    pending: int
    failed: int
    oldest_pending: timedelta | None
    sent: int = 0


class Pacer:
    """Spaces calls `1/rate` seconds apart (no bursts: Discord's windows are fixed). Leaves
    room under Discord's 50 requests/s for everything else the bot does."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + 1.0 / self.rate
        if slot > now:
            await asyncio.sleep(slot - now)


@dataclass
class _Kind:
    handler: Handler
    policy: Policy
    on_give_up: Callable[[Item], Awaitable[None]] | None = None


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    failed: int = 0


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
    ) -> None:
        self.db = db
        self.clock = clock
        self.cipher = cipher
        self.pacer = Pacer(rate)
        self.stats = Stats()
        self._kinds: dict[str, _Kind] = {}
        self._workers = workers
        self._track = track or contextlib.nullcontext
        self._wake = asyncio.Event()
        self._busy: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._settled = asyncio.Event()

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
        self._kinds[kind] = _Kind(handler, policy, on_give_up)

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
        priority = self._policy(kind).priority
        now = self.clock.now()
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "INSERT INTO outbox (kind, guild_id, subject_id, dedupe_key, payload, priority, "
                "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                (
                    kind,
                    guild_id,
                    subject_id,
                    key or f"{kind}:{subject_id}",
                    self.cipher.encrypt(json.dumps(payload)) if payload else None,
                    priority,
                    _iso(now),
                    _iso(now),
                ),
            )
            tx.after_commit(self.poke)
        return int(row[0]) if row else None

    def _policy(self, kind: str) -> Policy:
        if kind not in self._kinds:
            raise KeyError(f"no outbox handler registered for {kind!r}")
        return self._kinds[kind].policy

    async def pending(self, kind: str, subject_id: int) -> bool:
        row = await self.db.fetch_one(
            "SELECT 1 FROM outbox WHERE kind = ? AND subject_id = ? AND status = 'pending'",
            (kind, subject_id),
        )
        return row is not None

    async def rewrite_pending(
        self, kinds: Sequence[str], subject_id: int, changes: Mapping[str, Any]
    ) -> int:
        """Pending items about `subject_id` get `changes` merged into their payload (a
        person's words withdrawn before delivery). An item already being delivered is not
        affected. Returns how many changed."""
        marks = ", ".join("?" for _ in kinds)
        changed = 0
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                f"SELECT id, payload FROM outbox WHERE kind IN ({marks}) "  # noqa: S608
                "AND subject_id = ? AND status = 'pending' AND payload IS NOT NULL",
                (*kinds, subject_id),
            )
            for item_id, stored in rows:
                payload = {**json.loads(self.cipher.decrypt(stored) or "{}"), **changes}
                await tx.execute(
                    "UPDATE outbox SET payload = ? WHERE id = ?",
                    (self.cipher.encrypt(json.dumps(payload)), item_id),
                )
                changed += 1
        return changed

    @staticmethod
    async def landed(
        tx: Transaction, kinds: Sequence[str], subject_id: int
    ) -> set[tuple[int, int]]:
        """(channel id, message id) where items of these kinds about `subject_id` landed
        (delivered rows are kept for `KEEP_DONE`)."""
        marks = ", ".join("?" for _ in kinds)
        rows = await tx.fetch_all(
            f"SELECT channel_id, message_id FROM outbox WHERE kind IN ({marks}) "  # noqa: S608
            "AND subject_id = ? AND message_id IS NOT NULL",
            (*kinds, subject_id),
        )
        return {(r[0], r[1]) for r in rows}

    # --- health -------------------------------------------------------------------------

    async def health(self, guild_id: int | None = None) -> Health:
        row = await self.db.fetch_one(
            "SELECT SUM(status = 'pending'), "
            "SUM(status = 'failed' AND last_error IS NOT 'cancelled'), "
            "MIN(CASE WHEN status = 'pending' THEN created_at END), SUM(status = 'sent') "
            "FROM outbox WHERE :guild IS NULL OR guild_id = :guild",
            {"guild": guild_id},
        )
        if row is None:  # an aggregate always returns a row
            raise RuntimeError("outbox health query returned nothing")
        oldest = datetime.fromisoformat(row[2]) if row[2] else None
        return Health(
            pending=row[0] or 0,
            failed=row[1] or 0,
            oldest_pending=self.clock.now() - oldest if oldest else None,
            sent=row[3] or 0,
        )

    # --- the worker ---------------------------------------------------------------------

    def start(self, ready: Callable[[], Awaitable[Any]]) -> None:
        """Start delivering once `ready()` returns (the gateway is up, caches are full)."""
        self._stopping = False
        self._loop_task = asyncio.create_task(self._run(ready), name="lantern:outbox")

    def poke(self) -> None:
        self._settled.clear()
        self._wake.set()

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Take no new items; let attempts in flight finish (a cancelled request may have
        reached Discord without being recorded: the nonce covers that on the next start)."""
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

    async def settled(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait until nothing is pending and nothing is in flight (tests, benchmarks)."""
        self.poke()
        await asyncio.wait_for(self._settled.wait(), timeout)

    async def _run(self, ready: Callable[[], Awaitable[Any]]) -> None:
        await ready()
        pruned = 0.0
        while not self._stopping:
            self._wake.clear()
            if time.monotonic() - pruned > PRUNE_EVERY:
                await self._prune()
                pruned = time.monotonic()
            free = self._workers - len(self._busy)
            due = await self._due(free) if free > 0 else []
            for item_id in due:
                self._busy.add(item_id)
                task = asyncio.create_task(self._attempt(item_id), name=f"outbox:{item_id}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if due:
                continue  # more may be due: ask again (highest priority first)
            if not self._busy:
                wait = await self._seconds_to_next()
                if wait is None:
                    self._settled.set()
            else:
                wait = None  # a finishing attempt pokes
            timeout = None if wait is None else min(max(wait, 0.01), 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _due(self, limit: int) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
            "ORDER BY priority, next_attempt_at, id LIMIT ?",
            (_iso(self.clock.now()), limit + len(self._busy)),
        )
        return [r[0] for r in rows if r[0] not in self._busy][:limit]

    async def _seconds_to_next(self) -> float | None:
        row = await self.db.fetch_one(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"
        )
        if row is None or row[0] is None:
            return None
        return (datetime.fromisoformat(row[0]) - self.clock.now()).total_seconds()

    async def _load(self, item_id: int) -> Item | None:
        row = await self.db.fetch_one(
            "SELECT id, kind, guild_id, subject_id, payload, attempts, created_at FROM outbox "
            "WHERE id = ? AND status = 'pending'",
            (item_id,),
        )
        if row is None:
            return None
        payload = json.loads(self.cipher.decrypt(row[4]) or "{}") if row[4] else {}
        return Item(row[0], row[1], row[2], row[3], payload, row[5], datetime.fromisoformat(row[6]))

    async def _attempt(self, item_id: int) -> None:
        try:
            with self._track():
                item = await self._load(item_id)
                if item is None:
                    return
                kind = self._kinds.get(item.kind)
                if kind is None:
                    # The feature isn't loaded (yet): leave it pending for when it is.
                    await self._reschedule(item, 5.0, count=False, reason="no handler")
                    return
                await self._deliver(item, kind)
        except Exception:  # the worker must outlive anything; the database may be closing
            log.exception("outbox attempt crashed", extra={"outbox_id": item_id})
        finally:
            self._busy.discard(item_id)
            self._wake.set()

    async def _deliver(self, item: Item, kind: _Kind) -> None:
        if kind.policy.paced:
            await self.pacer.wait()
        ids = {"outbox_id": item.id, "kind": item.kind, "subject_id": item.subject_id}
        try:
            landed = await asyncio.wait_for(kind.handler(item), ATTEMPT_TIMEOUT)
        except NotYet as wait:
            await self._reschedule(item, wait.seconds, count=False, reason="not yet")
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if await self._failed(item, kind.policy, error, ids) and kind.on_give_up:
                await kind.on_give_up(item)
            return
        await self._done(item, landed)
        self.stats.sent += 1
        if item.attempts:
            log.info("delivered after retries", extra={**ids, "attempts": item.attempts + 1})

    async def _failed(
        self, item: Item, policy: Policy, error: Exception, ids: dict[str, Any]
    ) -> bool:
        """Log and reschedule (False), or give up for good (True)."""
        verdict, reason, wait = classify(error)
        attempts = item.attempts + 1
        delay = policy.delay(attempts)
        if verdict == "permanent" and not policy.forever:
            delay = None
        incident = new_incident_id()
        context = {**ids, "attempt": attempts, "reason": reason, "incident": incident}
        if delay is None:
            log.error(
                "could not deliver; giving up (incident %s)",
                incident,
                extra=context,
                exc_info=error if verdict == "bug" else None,
            )
            await self._give_up(item, reason, incident)
            self.stats.failed += 1
            return True
        if wait is not None:
            delay = max(delay, wait)
        if policy.forever or verdict == "bug":
            # A safety message that has not landed yet: somebody must know now.
            log.error(
                "delivery failed, retrying in %.0fs (incident %s)",
                delay,
                incident,
                extra=context,
                exc_info=error if verdict == "bug" else None,
            )
        else:
            log.warning("delivery failed, will retry", extra=context)
        self.stats.retried += 1
        await self._reschedule(item, delay, count=True, reason=reason, incident=incident)
        return False

    async def _reschedule(
        self,
        item: Item,
        seconds: float,
        *,
        count: bool,
        reason: str,
        incident: str | None = None,
    ) -> None:
        at = self.clock.now() + timedelta(seconds=seconds)
        await self.db.execute(
            "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + ?, last_error = ?, "
            "incident = COALESCE(?, incident) WHERE id = ? AND status = 'pending'",
            (_iso(at), 1 if count else 0, reason, incident, item.id),
        )

    async def _done(self, item: Item, landed: Landed | None) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', payload = NULL, done_at = ?, landed = ?, "
            "channel_id = ?, message_id = ? WHERE id = ?",
            (
                _iso(self.clock.now()),
                landed.where if landed else "skipped",
                landed.channel_id if landed else None,
                landed.message_id if landed else None,
                item.id,
            ),
        )

    async def _give_up(self, item: Item, reason: str, incident: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'failed', payload = NULL, done_at = ?, last_error = ?, "
            "incident = ?, attempts = attempts + 1 WHERE id = ?",
            (_iso(self.clock.now()), reason, incident, item.id),
        )

    async def _prune(self) -> None:
        await self.db.execute(
            "DELETE FROM outbox WHERE status != 'pending' AND done_at < ?",
            (_iso(self.clock.now() - KEEP_DONE),),
        )


def _iso(moment: datetime) -> str:
    # Fixed width, so SQLite compares the text in time order.
    return moment.isoformat(timespec="microseconds")
