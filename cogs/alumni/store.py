"""SQL for the alumni space, opt-in milestones and graduation congratulations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.storage import Database


@dataclass(frozen=True)
class AlumniSpace:
    guild_id: int
    category_id: int
    lounge_channel_id: int
    milestones_channel_id: int
    ask_channel_id: int


@dataclass(frozen=True)
class Optin:
    guild_id: int
    user_id: int
    recovery_start: date


class AlumniStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def space(self, guild_id: int) -> AlumniSpace | None:
        row = await self.db.fetch_one(
            "SELECT guild_id, category_id, lounge_channel_id, milestones_channel_id, "
            "ask_channel_id FROM alumni_spaces WHERE guild_id = ?",
            (guild_id,),
        )
        return AlumniSpace(**dict(row)) if row else None

    async def save_space(self, space: AlumniSpace, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO alumni_spaces (guild_id, category_id, lounge_channel_id, "
            "milestones_channel_id, ask_channel_id, created_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET category_id = excluded.category_id, "
            "lounge_channel_id = excluded.lounge_channel_id, "
            "milestones_channel_id = excluded.milestones_channel_id, "
            "ask_channel_id = excluded.ask_channel_id",
            (
                space.guild_id,
                space.category_id,
                space.lounge_channel_id,
                space.milestones_channel_id,
                space.ask_channel_id,
                now.isoformat(),
            ),
        )

    # --- milestones ------------------------------------------------------------------

    async def optin(self, guild_id: int, user_id: int) -> Optin | None:
        row = await self.db.fetch_one(
            "SELECT recovery_start FROM milestones WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return Optin(guild_id, user_id, date.fromisoformat(row[0])) if row else None

    async def all_optins(self) -> list[Optin]:
        rows = await self.db.fetch_all("SELECT guild_id, user_id, recovery_start FROM milestones")
        return [Optin(r[0], r[1], date.fromisoformat(r[2])) for r in rows]

    async def set_optin(self, guild_id: int, user_id: int, start: date, now: datetime) -> None:
        """A new start date (a restart of recovery counts again from zero)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO milestones (guild_id, user_id, recovery_start, opted_in_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
                "recovery_start = excluded.recovery_start, opted_in_at = excluded.opted_in_at",
                (guild_id, user_id, start.isoformat(), now.isoformat()),
            )
            await tx.execute(
                "DELETE FROM milestone_announcements WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )

    async def clear_optin(self, guild_id: int, user_id: int) -> bool:
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM milestone_announcements WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            row = await tx.fetch_one(
                "DELETE FROM milestones WHERE guild_id = ? AND user_id = ? RETURNING 1",
                (guild_id, user_id),
            )
            return row is not None

    async def announced(self, guild_id: int, user_id: int) -> set[str]:
        rows = await self.db.fetch_all(
            "SELECT milestone FROM milestone_announcements WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return {r[0] for r in rows}

    async def claim(self, guild_id: int, user_id: int, key: str, now: datetime) -> bool:
        """Reserve one announcement (False if it was already made): never posted twice."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "INSERT INTO milestone_announcements (guild_id, user_id, milestone, announced_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                (guild_id, user_id, key, now.isoformat()),
            )
        return row is not None

    async def release(self, guild_id: int, user_id: int, key: str) -> None:
        """The post failed: let the next run try again."""
        await self.db.execute(
            "DELETE FROM milestone_announcements WHERE guild_id = ? AND user_id = ? "
            "AND milestone = ?",
            (guild_id, user_id, key),
        )
