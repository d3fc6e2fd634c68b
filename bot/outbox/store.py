"""The outbox table: every SQL statement the outbox runs, and the row <-> `Item` mapping
(payloads are encrypted here, so nothing else sees them stored)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.crypto import Cipher
from bot.outbox.items import Item, Landed
from bot.storage import Database, Transaction

KEEP_DONE = timedelta(days=7)
"""Delivered and failed rows are kept this long for `/setup check` and audits."""
LEASE = timedelta(minutes=5)
"""How long a claimed row stays with the process delivering it: well over an attempt's
timeout, so a slow attempt is never taken by another process; a process that dies has its
leases released when its shards are taken over (or at the next start)."""


@dataclass
class Health:
    pending: int
    failed: int
    oldest_pending: timedelta | None
    sent: int = 0


class OutboxStore:
    """The outbox's SQL, given the database, the clock and the cipher for payloads."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        cipher: Cipher,
        *,
        owner: str = "",
        scope: Callable[[str], str] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.cipher = cipher
        self.owner = owner
        """This process's lease name: rows it claims carry it."""
        self._scope = scope or (lambda column: "1 = 1")
        """A SQL condition on a server column: the servers whose rows this process delivers
        (all of them unless sharded across processes)."""

    # --- what features ask ---------------------------------------------------------------

    async def insert(
        self,
        kind: str,
        subject_id: int,
        *,
        guild_id: int | None,
        key: str,
        payload: dict[str, Any] | None,
        priority: int,
        after_commit: Callable[[], None],
    ) -> int | None:
        """A new pending row, unless one with `key` exists (then None)."""
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
                    key,
                    self.cipher.encrypt(json.dumps(payload)) if payload else None,
                    priority,
                    _iso(now),
                    _iso(now),
                ),
            )
            tx.after_commit(after_commit)
        return int(row[0]) if row else None

    async def insert_many(
        self,
        kind: str,
        items: Sequence[tuple[int, int | None, str]],
        *,
        priority: int,
        after_commit: Callable[[], None],
    ) -> None:
        """`insert` for many payload-less rows of one kind in one statement: (subject id,
        guild id, key); keys already there are skipped."""
        now = _iso(self.clock.now())
        async with self.db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO outbox (kind, guild_id, subject_id, dedupe_key, payload, priority, "
                "next_attempt_at, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?) "
                "ON CONFLICT (dedupe_key) DO NOTHING",
                [(kind, guild, subject, key, priority, now, now) for subject, guild, key in items],
            )
            tx.after_commit(after_commit)

    async def pending(self, kind: str, subject_id: int) -> bool:
        row = await self.db.fetch_one(
            "SELECT 1 FROM outbox WHERE kind = ? AND subject_id = ? AND status = 'pending'",
            (kind, subject_id),
        )
        return row is not None

    async def rewrite_pending(
        self, kinds: Sequence[str], subject_id: int, changes: Mapping[str, Any]
    ) -> int:
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
        marks = ", ".join("?" for _ in kinds)
        rows = await tx.fetch_all(
            f"SELECT channel_id, message_id FROM outbox WHERE kind IN ({marks}) "  # noqa: S608
            "AND subject_id = ? AND message_id IS NOT NULL",
            (*kinds, subject_id),
        )
        return {(r[0], r[1]) for r in rows}

    async def health(self, guild_id: int | None = None) -> Health:
        row = await self.db.fetch_one(
            "SELECT COUNT(CASE WHEN status = 'pending' THEN 1 END), "
            "COUNT(CASE WHEN status = 'failed' AND (last_error IS NULL "
            "OR last_error <> 'cancelled') THEN 1 END), "
            "MIN(CASE WHEN status = 'pending' THEN created_at END), "
            "COUNT(CASE WHEN status = 'sent' THEN 1 END) "
            "FROM outbox WHERE CAST(:guild AS BIGINT) IS NULL OR guild_id = :guild",
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

    # --- what the worker asks ------------------------------------------------------------

    async def claim(self, limit: int, busy: set[int]) -> list[int]:
        """Lease up to `limit` due rows of this process's servers to this process, most
        urgent first, and return their ids. A row leased to another process is skipped (on
        PostgreSQL its row lock too, so two processes claiming at once never share a row);
        so is one in `busy` (in flight here, whose lease a jump of a test clock may have
        outrun)."""
        now = _iso(self.clock.now())
        lock = " FOR UPDATE SKIP LOCKED" if self.db.backend == "postgresql" else ""
        skip = f" AND id NOT IN ({', '.join(str(int(i)) for i in busy)})" if busy else ""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id IN ("  # noqa: S608
                "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                f"AND (lease_until IS NULL OR lease_until < ?) AND {self._scope('guild_id')}"
                f"{skip} ORDER BY priority, next_attempt_at, id LIMIT ?{lock}) "
                "RETURNING id, priority, next_attempt_at",
                (self.owner, _iso(self.clock.now() + LEASE), now, now, limit),
            )
        return [r[0] for r in sorted(rows, key=lambda r: (r[1], r[2], r[0]))]

    async def seconds_to_next(self) -> float | None:
        row = await self.db.fetch_one(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' "  # noqa: S608
            f"AND {self._scope('guild_id')}"
        )
        if row is None or row[0] is None:
            return None
        return (datetime.fromisoformat(row[0]) - self.clock.now()).total_seconds()

    async def release(self, keep: Collection[str] = ()) -> None:
        """Drop the leases of processes that are gone: all but those in `keep` (the live
        ones; none at the start of a process that is the only one)."""
        kept = f" AND lease_owner NOT IN ({', '.join('?' for _ in keep)})" if keep else ""
        await self.db.execute(
            "UPDATE outbox SET lease_owner = NULL, lease_until = NULL "  # noqa: S608
            f"WHERE status = 'pending' AND lease_owner IS NOT NULL{kept}",
            tuple(keep),
        )

    async def load(self, item_id: int) -> Item | None:
        row = await self.db.fetch_one(
            "SELECT id, kind, guild_id, subject_id, payload, attempts, created_at FROM outbox "
            "WHERE id = ? AND status = 'pending'",
            (item_id,),
        )
        if row is None:
            return None
        payload = json.loads(self.cipher.decrypt(row[4]) or "{}") if row[4] else {}
        return Item(row[0], row[1], row[2], row[3], payload, row[5], datetime.fromisoformat(row[6]))

    async def reschedule(
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
            "incident = COALESCE(?, incident), lease_owner = NULL, lease_until = NULL "
            "WHERE id = ? AND status = 'pending'",
            (_iso(at), 1 if count else 0, reason, incident, item.id),
        )

    async def done(self, item: Item, landed: Landed | None) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', payload = NULL, done_at = ?, landed = ?, "
            "channel_id = ?, message_id = ?, lease_owner = NULL, lease_until = NULL "
            "WHERE id = ?",
            (
                _iso(self.clock.now()),
                landed.where if landed else "skipped",
                landed.channel_id if landed else None,
                landed.message_id if landed else None,
                item.id,
            ),
        )

    async def give_up(self, item: Item, reason: str, incident: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'failed', payload = NULL, done_at = ?, last_error = ?, "
            "incident = ?, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL "
            "WHERE id = ?",
            (_iso(self.clock.now()), reason, incident, item.id),
        )

    async def prune(self) -> None:
        await self.db.execute(
            "DELETE FROM outbox WHERE status != 'pending' AND done_at < ?",
            (_iso(self.clock.now() - KEEP_DONE),),
        )


def _iso(moment: datetime) -> str:
    # Fixed width, so SQLite compares the text in time order.
    return moment.isoformat(timespec="microseconds")
