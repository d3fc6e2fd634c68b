"""`/cohort report`: a cohort's check-ins and assessments as CSV, for facilitators.

The subcommand lives in the cohort command group (it authorises the facilitator and sends
the file ephemerally); this module only builds the bytes.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from cogs.checkins.record_store import RecordStore
from cogs.cohorts.api import Membership
from cogs.sessions.api import attendance_rows

if TYPE_CHECKING:
    from bot.client import LanternBot

COLUMNS = (
    "kind",
    "user_id",
    "member",
    "date",
    "mood",
    "cravings",
    "sleep_hours",
    "used",
    "note",
    "shared",
    "instrument",
    "score",
    "band",
    "session",
    "attendance",
)


async def cohort_report_csv(bot: LanternBot, guild_id: int, cohort_id: int) -> bytes:
    """Every check-in and completed assessment of everyone ever enrolled in the cohort
    (UTF-8 with BOM so spreadsheet apps open accents correctly). Empty cohort: header only."""
    cohorts = Membership(bot.db)
    store = RecordStore(bot.db, bot.cipher)
    cohort = await cohorts.get(guild_id, cohort_id)
    if cohort is None:
        raise LookupError(f"no cohort {cohort_id} in server {guild_id}")
    user_ids = sorted({e.user_id for e in await cohorts.history(cohort_id)})
    guild = bot.get_guild(guild_id)

    def name(user_id: int) -> str:
        member = guild.get_member(user_id) if guild else None
        return member.display_name if member else ""

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for c in await store.cohort_checkins(guild_id, user_ids):
        if c.cohort_id not in (None, cohort_id):
            continue  # a check-in made while in another cohort of this server
        writer.writerow(
            (
                "checkin",
                c.user_id,
                _safe(name(c.user_id)),
                c.local_day.isoformat(),
                c.mood,
                _blank(c.cravings),
                _blank(c.sleep_hours),
                c.used or "",
                _safe(c.note or ""),
                int(c.shared),
                "",
                "",
                "",
                "",
                "",
            )
        )
    for a in await store.cohort_assessments(guild_id, user_ids):
        if a.cohort_id not in (None, cohort_id) or a.completed_at is None:
            continue
        writer.writerow(
            (
                "assessment",
                a.user_id,
                _safe(name(a.user_id)),
                a.completed_at.date().isoformat(),
                "",
                "",
                "",
                "",
                "",
                "",
                a.instrument,
                a.score,
                a.band or "",
                "",
                "",
            )
        )
    # Attendance marks from the sessions feature: missed sessions belong in the report.
    for mark in await attendance_rows(bot.db, cohort_id):
        writer.writerow(
            (
                "attendance",
                mark["user_id"],
                _safe(name(mark["user_id"])),
                str(mark["local_start"])[:10],
                *([""] * 9),
                _safe(f"{mark['title']} {str(mark['local_start'])[11:16]}"),
                mark["status"],
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _blank(value: int | None) -> str | int:
    return "" if value is None else value


def _safe(text: str) -> str:
    """Spreadsheet apps run cells that start with = + - @ as formulas: defuse them."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
