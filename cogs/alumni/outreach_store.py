"""SQL for alumni outreach: the per-server setting and claims, last message times, and what
outreach did with each person. Reads are per server (one query each), never per person."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.storage import Database
from cogs.alumni.outreach_logic import DEFAULT_QUIET_DAYS, Contact


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class OutreachStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- settings and claims -----------------------------------------------------------

    async def quiet_days(self, guild_id: int) -> int:
        row = await self.db.fetch_one(
            "SELECT quiet_days FROM alumni_outreach_settings WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else DEFAULT_QUIET_DAYS

    async def set_quiet_days(self, guild_id: int, days: int, by: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO alumni_outreach_settings (guild_id, quiet_days, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
            "quiet_days = excluded.quiet_days, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (guild_id, days, by, now.isoformat()),
        )

    async def last_done(self, guild_id: int) -> tuple[date | None, date | None]:
        """The day of the last run and the Monday of the last list (a cheap look before the
        hourly job reads anything else; the claims below decide)."""
        row = await self.db.fetch_one(
            "SELECT last_run_on, last_list_on FROM alumni_outreach_settings WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return None, None
        run, listed = row
        return (
            date.fromisoformat(run) if run else None,
            date.fromisoformat(listed) if listed else None,
        )

    async def claim(self, guild_id: int, column: str, day: date) -> bool:
        """Reserve the day's run (`last_run_on`) or the week's list (`last_list_on`): True
        once per day, whatever restarts or late runs happen."""
        assert column in ("last_run_on", "last_list_on")  # noqa: S101 (constants only)
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                f"INSERT INTO alumni_outreach_settings (guild_id, {column}) VALUES (?, ?) "  # noqa: S608 (constant)
                f"ON CONFLICT (guild_id) DO UPDATE SET {column} = excluded.{column} "
                f"WHERE alumni_outreach_settings.{column} IS NULL "
                f"OR alumni_outreach_settings.{column} < excluded.{column} RETURNING 1",
                (guild_id, day.isoformat()),
            )
        return row is not None

    # --- last messages -----------------------------------------------------------------

    async def last_messages(self, guild_id: int) -> dict[int, datetime]:
        rows = await self.db.fetch_all(
            "SELECT user_id, last_message_at FROM alumni_last_message WHERE guild_id = ?",
            (guild_id,),
        )
        return {int(r[0]): datetime.fromisoformat(r[1]) for r in rows}

    async def save_last_messages(self, seen: Iterable[tuple[int, int, datetime]]) -> None:
        """(guild id, user id, time) for many people in one statement; never moves back."""
        async with self.db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO alumni_last_message (guild_id, user_id, last_message_at) "
                "VALUES (?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
                "last_message_at = CASE WHEN excluded.last_message_at > "
                "alumni_last_message.last_message_at THEN excluded.last_message_at "
                "ELSE alumni_last_message.last_message_at END",
                [(g, u, at.isoformat()) for g, u, at in seen],
            )

    # --- what outreach did -------------------------------------------------------------

    async def contacts(self, guild_id: int) -> dict[int, Contact]:
        rows = await self.db.fetch_all(
            "SELECT user_id, last_dm_at, opted_out_at, dms_closed_at FROM alumni_outreach "
            "WHERE guild_id = ?",
            (guild_id,),
        )
        return {int(r[0]): Contact(_at(r[1]), _at(r[2]), _at(r[3])) for r in rows}

    async def contact(self, guild_id: int, user_id: int) -> Contact:
        row = await self.db.fetch_one(
            "SELECT last_dm_at, opted_out_at, dms_closed_at FROM alumni_outreach "
            "WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return Contact(_at(row[0]), _at(row[1]), _at(row[2])) if row else Contact()

    async def mark_dm(self, guild_id: int, user_ids: list[int], now: datetime) -> None:
        """Recorded with the outbox rows, in the caller's transaction: the 30-day gap counts
        from the day the DM was decided, so a slow delivery never causes a second one."""
        async with self.db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO alumni_outreach (guild_id, user_id, last_dm_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET last_dm_at = excluded.last_dm_at",
                [(guild_id, uid, now.isoformat()) for uid in user_ids],
            )

    async def set_opted_out(self, guild_id: int, user_id: int, now: datetime | None) -> None:
        """`now`: opted out at; None: opted back in."""
        await self.db.execute(
            "INSERT INTO alumni_outreach (guild_id, user_id, opted_out_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET opted_out_at = excluded.opted_out_at",
            (guild_id, user_id, now.isoformat() if now else None),
        )

    async def set_dms_closed(self, guild_id: int, user_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO alumni_outreach (guild_id, user_id, dms_closed_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET dms_closed_at = excluded.dms_closed_at",
            (guild_id, user_id, now.isoformat()),
        )
