"""What other features may use of check-ins: the cohort report, and when each person last
checked in (a day, never an answer)."""

from __future__ import annotations

from datetime import date

from bot.storage import Database
from cogs.checkins.record_store import RecordStore
from cogs.checkins.report import cohort_report_csv

__all__ = ["cohort_report_csv", "last_checkin_days"]


async def last_checkin_days(db: Database, guild_id: int) -> dict[int, date]:
    """user id -> the day of their latest check-in on this server."""
    return await RecordStore(db).last_days(guild_id)
