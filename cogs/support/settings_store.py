"""SQL for a server's staffed hours and talk settings (`staffed_hours`, `talk_settings`):
when facilitators are on shift, how long a conversation may wait before it is announced
again, and which channel holds the conversations."""

from __future__ import annotations

from datetime import datetime

from bot.storage import Database
from cogs.support.hours import Window

DEFAULT_REANNOUNCE_MINUTES = 15


class SettingsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def reannounce_minutes(self, guild_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT reannounce_minutes FROM talk_settings WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else DEFAULT_REANNOUNCE_MINUTES

    async def set_reannounce_minutes(self, guild_id: int, minutes: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO talk_settings (guild_id, reannounce_minutes, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET "
            "reannounce_minutes = excluded.reannounce_minutes, updated_at = excluded.updated_at",
            (guild_id, minutes, now.isoformat()),
        )

    async def talk_channel(self, guild_id: int) -> int | None:
        row = await self.db.fetch_one(
            "SELECT channel_id FROM talk_settings WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row and row[0] else None

    async def set_talk_channel(self, guild_id: int, channel_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO talk_settings (guild_id, channel_id, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, "
            "updated_at = excluded.updated_at",
            (guild_id, channel_id, now.isoformat()),
        )

    async def hours(self, guild_id: int) -> tuple[list[Window], str | None]:
        rows = await self.db.fetch_all(
            "SELECT weekday, start_minute, end_minute, timezone FROM staffed_hours "
            "WHERE guild_id = ? ORDER BY weekday, start_minute",
            (guild_id,),
        )
        zone = rows[0]["timezone"] if rows else None
        return [Window(r[0], r[1], r[2]) for r in rows], zone

    async def set_hours(self, guild_id: int, windows: list[Window], zone: str) -> None:
        """Replace the server's hours in one transaction (empty list: no published hours)."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM staffed_hours WHERE guild_id = ?", (guild_id,))
            await tx.execute_many(
                "INSERT INTO staffed_hours (guild_id, weekday, start_minute, end_minute, "
                "timezone) VALUES (?, ?, ?, ?, ?)",
                [(guild_id, w.weekday, w.start, w.end, zone) for w in windows],
            )
