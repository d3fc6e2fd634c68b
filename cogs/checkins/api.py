"""What other features may use of check-ins: the cohort report, when each person last
checked in (a day, never an answer), and a graduate's weekly check-in (alumni)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.cogs import loaded_cog
from bot.errors import UserError
from bot.storage import Database
from cogs.checkins.record_store import RecordStore
from cogs.checkins.report import cohort_report_csv

__all__ = ["cohort_report_csv", "keep_weekly_checkin", "last_checkin_days"]


async def last_checkin_days(db: Database, guild_id: int) -> dict[int, date]:
    """user id -> the day of their latest check-in on this server."""
    return await RecordStore(db).last_days(guild_id)


async def keep_weekly_checkin(client: Any, guild_id: int, user_id: int) -> str:
    """Turn on a graduate's weekly check-in (Sunday 18:00 local unless they chose a day and
    time before); pressing twice changes nothing. Returns what to tell them."""
    from cogs.checkins.cog import Checkins

    cog = loaded_cog(client, Checkins)
    if cog is None:
        raise UserError(
            "Check-ins aren't available right now. Try again in a minute, or use "
            "`/checkin settings` in the server."
        )
    return await cog.offers.keep_weekly(guild_id, user_id)
