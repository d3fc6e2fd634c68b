"""SQL for per-server privacy settings and the schedule of members who left."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.storage import Database


@dataclass(frozen=True)
class PrivacySettings:
    grace_days: int = 30
    notes_days: int = 365
    excerpt_days: int = 90

    def merged(self, **changes: int | None) -> PrivacySettings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def days(self) -> dict[str, int]:
        return {"notes_days": self.notes_days, "excerpt_days": self.excerpt_days}


class PrivacyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def settings(self, guild_id: int) -> PrivacySettings:
        row = await self.db.fetch_one(
            "SELECT grace_days, notes_days, excerpt_days FROM privacy_settings WHERE guild_id = ?",
            (guild_id,),
        )
        return PrivacySettings(*row) if row else PrivacySettings()

    async def save(self, guild_id: int, settings: PrivacySettings, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO privacy_settings (guild_id, grace_days, notes_days, excerpt_days, "
            "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
            "grace_days = excluded.grace_days, notes_days = excluded.notes_days, "
            "excerpt_days = excluded.excerpt_days, updated_at = excluded.updated_at",
            (
                guild_id,
                settings.grace_days,
                settings.notes_days,
                settings.excerpt_days,
                now.isoformat(),
            ),
        )

    async def departed(self, guild_id: int, user_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO departures (guild_id, user_id, left_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO NOTHING",
            (guild_id, user_id, now.isoformat()),
        )

    async def returned(self, guild_id: int, user_id: int) -> None:
        await self.db.execute(
            "DELETE FROM departures WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )

    async def departures(self) -> list[tuple[int, int, datetime]]:
        rows = await self.db.fetch_all("SELECT guild_id, user_id, left_at FROM departures")
        return [(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]
