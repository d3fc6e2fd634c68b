"""SQL for what has been screened: per-channel marks (the catch-up after downtime reads from
there) and the messages that already raised or joined an alert (never twice)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage import Database

Mark = tuple[int | None, int | None, int]
"""(guild id, DM person, newest message id screened)"""

FLAGGED_KEPT = timedelta(days=2)
"""How long a flagged message's key is remembered (a replay comes within minutes)."""


class ScreenMarks:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def first_flag(self, message_key: str, now: datetime) -> bool:
        """False if this message already raised or joined an alert (screened twice)."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "INSERT INTO crisis_screened (message_key, at) VALUES (?, ?) "
                "ON CONFLICT (message_key) DO NOTHING RETURNING message_key",
                (message_key, now.isoformat()),
            )
            await tx.execute(
                "DELETE FROM crisis_screened WHERE at < ?", ((now - FLAGGED_KEPT).isoformat(),)
            )
        return row is not None

    async def marks(self) -> dict[int, int]:
        rows = await self.db.fetch_all("SELECT channel_id, message_id FROM screen_marks")
        return {r[0]: r[1] for r in rows}

    async def has_mark(self, channel_id: int) -> bool:
        row = await self.db.fetch_one(
            "SELECT 1 FROM screen_marks WHERE channel_id = ?", (channel_id,)
        )
        return row is not None

    async def save(self, marks: dict[int, Mark], now: datetime) -> None:
        """channel id -> (guild id, DM person, newest message screened); only moves forward."""
        async with self.db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO screen_marks (channel_id, guild_id, user_id, message_id, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET "
                "message_id = CASE WHEN excluded.message_id > screen_marks.message_id "
                "THEN excluded.message_id ELSE screen_marks.message_id END, "
                "updated_at = excluded.updated_at",
                [(c, g, u, m, now.isoformat()) for c, (g, u, m) in marks.items()],
            )

    async def dm_channels(self) -> list[tuple[int, int]]:
        """(channel id, person) of every DM channel Lantern has a mark for."""
        rows = await self.db.fetch_all(
            "SELECT channel_id, user_id FROM screen_marks WHERE guild_id IS NULL "
            "AND user_id IS NOT NULL"
        )
        return [(r[0], r[1]) for r in rows]
