"""SQL for how often Lantern repeats itself about an alert: the server's re-alert interval
(`/crisis settings`) and the person's support message, at most once per window."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage import Database

DEFAULT_REALERT_MINUTES = 10
DEFAULT_ESCALATE_AFTER_MINUTES = 10


class Cadence:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def realert_minutes(self, guild_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT realert_minutes FROM crisis_settings WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else DEFAULT_REALERT_MINUTES

    async def escalate_after(self, guild_id: int) -> timedelta:
        """How long an alert may wait for a cohort's care team before program staff are
        alerted too."""
        row = await self.db.fetch_one(
            "SELECT escalate_after_minutes FROM crisis_settings WHERE guild_id = ?", (guild_id,)
        )
        return timedelta(minutes=int(row[0]) if row else DEFAULT_ESCALATE_AFTER_MINUTES)

    async def save(
        self,
        guild_id: int,
        now: datetime,
        *,
        realert_minutes: int | None = None,
        escalate_after_minutes: int | None = None,
    ) -> tuple[int, int]:
        """Change what is given, keep the rest; returns (realert, escalate after) minutes."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT realert_minutes, escalate_after_minutes FROM crisis_settings "
                "WHERE guild_id = ?",
                (guild_id,),
            )
            realert = realert_minutes or (int(row[0]) if row else DEFAULT_REALERT_MINUTES)
            escalate = escalate_after_minutes or (
                int(row[1]) if row else DEFAULT_ESCALATE_AFTER_MINUTES
            )
            await tx.execute(
                "INSERT INTO crisis_settings (guild_id, realert_minutes, escalate_after_minutes, "
                "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
                "realert_minutes = excluded.realert_minutes, "
                "escalate_after_minutes = excluded.escalate_after_minutes, "
                "updated_at = excluded.updated_at",
                (guild_id, realert, escalate, now.isoformat()),
            )
        return realert, escalate

    async def set_realert_minutes(self, guild_id: int, minutes: int, now: datetime) -> None:
        await self.save(guild_id, now, realert_minutes=minutes)

    async def claim_outreach(
        self, guild_id: int, user_id: int, now: datetime, every: timedelta
    ) -> bool:
        """True if the person may be sent the support message now (and records it): one
        conditional upsert, so two processes never both send it."""
        row = await self.db.fetch_one(
            "INSERT INTO crisis_outreach (guild_id, user_id, sent_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET sent_at = excluded.sent_at "
            "WHERE crisis_outreach.sent_at <= ? RETURNING 1",
            (guild_id, user_id, now.isoformat(), (now - every).isoformat()),
        )
        return row is not None
