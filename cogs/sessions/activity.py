"""When people last took part in a session, for other features (alumni "gone quiet"): one
query per server, however many people."""

from __future__ import annotations

from datetime import datetime

from bot.storage import Database
from cogs.sessions.records import instant, iso


async def last_session_activity(db: Database, guild_id: int, now: datetime) -> dict[int, datetime]:
    """user id -> the latest session they were marked present at, or said "I'll be there" to
    (the time they answered), up to `now`. People with neither are left out."""
    rows = await db.fetch_all(
        "SELECT user_id, MAX(at) FROM ("
        " SELECT a.user_id, o.starts_at AS at FROM session_attendance a"
        " JOIN session_occurrences o ON o.id = a.occurrence_id"
        " WHERE a.guild_id = ? AND a.status = 'present' AND o.starts_at <= ?"
        " UNION ALL"
        " SELECT r.user_id, r.updated_at AS at FROM session_rsvps r"
        " JOIN session_occurrences o ON o.id = r.occurrence_id"
        " WHERE o.guild_id = ? AND r.answer = 'yes'"
        ") AS seen GROUP BY user_id",
        (guild_id, iso(now), guild_id),
    )
    return {int(r[0]): instant(r[1]) for r in rows}


async def session_event_ids(db: Database, guild_id: int) -> set[int]:
    """Ids of the Discord scheduled events Lantern made for cohort sessions (for a cohort's
    own people), so other features can tell them from the server's other events."""
    rows = await db.fetch_all(
        "SELECT event_id FROM session_occurrences WHERE guild_id = ? AND event_id IS NOT NULL",
        (guild_id,),
    )
    return {int(r[0]) for r in rows}
