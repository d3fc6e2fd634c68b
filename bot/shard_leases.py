"""The shard leases in the database: which process runs which shard (issue 19).

A process renews its leases every tick; a lease that is not renewed expires and any other
process takes the shard over. A process coming back marks its configured ("home") shards
`wanted_by` itself; whoever holds them hands them back at its next tick. Times are the
database's clock (seconds since the epoch), so processes on different machines agree.
Every change is a conditional UPDATE on the lease row itself: at PostgreSQL's READ
COMMITTED a second process waits for the row and re-checks the condition, so a shard never
has two owners.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field

from bot.storage import Database, Transaction


def process_name() -> str:
    """This process's lease name: readable in the table, unique per start."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class ShardCountMismatch(RuntimeError):
    """Live processes run a different shard count: every process must agree."""


@dataclass
class Tick:
    held: set[int] = field(default_factory=set)
    """The shards this process holds after the tick."""
    hand_back: set[int] = field(default_factory=set)
    """Shards held here that their home process wants back."""
    took_over: set[int] = field(default_factory=set)
    """Shards taken from a process that stopped renewing."""
    processes: int = 1
    """Processes holding a live lease, this one included: they share Discord's rate limit."""


class ShardLeases:
    def __init__(
        self,
        db: Database,
        owner: str,
        count: int,
        home: Collection[int],
        seconds: float,
        *,
        clock: Callable[[], Awaitable[float]] | None = None,
    ) -> None:
        """`clock`: tests move time by hand (default: the database's clock)."""
        self._clock = clock
        self.db = db
        self.owner = owner
        self.count = count
        self.home = set(home)
        self.seconds = seconds

    async def now(self) -> float:
        if self._clock is not None:
            return await self._clock()
        if self.db.backend != "postgresql":
            return time.time()  # one machine: the file and the processes share a clock
        row = await self.db.fetch_one(
            "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"
        )
        return float(row[0]) if row else time.time()

    async def check_count(self) -> None:
        """Refuse to join processes that run another shard count (a half-done resharding
        would split servers between two numbering schemes)."""
        now = await self.now()
        row = await self.db.fetch_one(
            "SELECT shard_count, owner FROM shard_leases WHERE shard_count <> ? "
            "AND owner IS NOT NULL AND expires_at >= ? LIMIT 1",
            (self.count, now),
        )
        if row is not None:
            raise ShardCountMismatch(
                f"process {row[1]} runs {row[0]} shards, this one {self.count}: stop every "
                "process and start them all with the same LANTERN_SHARD_COUNT"
            )
        # Leases from an earlier shard count, all expired: the numbering starts afresh.
        await self.db.execute(
            "DELETE FROM shard_leases WHERE shard_count <> ? OR shard_id >= ?",
            (self.count, self.count),
        )

    async def tick(self, adopt: bool) -> Tick:
        """Renew, claim free home shards, ask for the others back, and (when `adopt`) take
        over shards whose process stopped renewing."""
        now = await self.now()
        until = now + self.seconds
        result = Tick()
        async with self.db.transaction() as tx:
            renewed = await tx.fetch_all(
                "UPDATE shard_leases SET expires_at = ?, updated_at = ? WHERE owner = ? "
                "RETURNING shard_id",
                (until, now, self.owner),
            )
            result.held = {r[0] for r in renewed}
            for shard in sorted(self.home - result.held):
                if await self._claim_home(tx, shard, now, until):
                    result.held.add(shard)
                else:
                    await tx.execute(
                        "UPDATE shard_leases SET wanted_by = ? WHERE shard_id = ? "
                        "AND (wanted_by IS NULL OR wanted_by <> ?)",
                        (self.owner, shard, self.owner),
                    )
            if adopt:
                taken = await tx.fetch_all(
                    # wanted_by cleared: a home process still alive marks it again.
                    "UPDATE shard_leases SET owner = ?, expires_at = ?, updated_at = ?, "
                    "wanted_by = NULL WHERE shard_count = ? AND (owner IS NULL OR owner <> ?) "
                    "AND expires_at < ? RETURNING shard_id",
                    (self.owner, until, now, self.count, self.owner, now),
                )
                result.took_over = {r[0] for r in taken}
                result.held |= result.took_over
            wanted = await tx.fetch_all(
                "SELECT shard_id FROM shard_leases WHERE owner = ? AND wanted_by IS NOT NULL "
                "AND wanted_by <> ?",
                (self.owner, self.owner),
            )
            result.hand_back = {r[0] for r in wanted} - self.home
            live = await tx.fetch_one(
                "SELECT COUNT(DISTINCT owner) FROM shard_leases WHERE owner IS NOT NULL "
                "AND expires_at >= ?",
                (now,),
            )
            result.processes = max(1, int(live[0]) if live else 1)
        return result

    async def _claim_home(self, tx: Transaction, shard: int, now: float, until: float) -> bool:
        # Free (never held, or released by a clean stop or a hand-back meant for us) or
        # expired (its process died): ours.
        row = await tx.fetch_one(
            "INSERT INTO shard_leases (shard_id, shard_count, owner, expires_at, wanted_by, "
            "updated_at) VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT (shard_id) DO UPDATE SET "
            "owner = excluded.owner, expires_at = excluded.expires_at, wanted_by = NULL, "
            "updated_at = excluded.updated_at WHERE shard_leases.expires_at < ? "
            "OR (shard_leases.owner IS NULL AND (shard_leases.wanted_by IS NULL "
            "OR shard_leases.wanted_by = excluded.owner)) RETURNING shard_id",
            (shard, self.count, self.owner, until, now, now),
        )
        return row is not None

    async def hand_back(self, shard: int) -> None:
        """Release `shard` for the process that wants it: reserved for it until the lease
        time passes (then anyone may take it, in case it died meanwhile)."""
        now = await self.now()
        await self.db.execute(
            "UPDATE shard_leases SET owner = NULL, expires_at = ?, updated_at = ? "
            "WHERE shard_id = ? AND owner = ?",
            (now + self.seconds, now, shard, self.owner),
        )

    async def release_all(self) -> None:
        """A clean stop: the others may take the shards at once."""
        now = await self.now()
        await self.db.execute(
            "UPDATE shard_leases SET owner = NULL, expires_at = ?, wanted_by = NULL, "
            "updated_at = ? WHERE owner = ?",
            (now, now, self.owner),
        )

    async def live_owners(self) -> set[str]:
        now = await self.now()
        rows = await self.db.fetch_all(
            "SELECT DISTINCT owner FROM shard_leases WHERE owner IS NOT NULL AND expires_at >= ?",
            (now,),
        )
        return {r[0] for r in rows}
