"""What other features may use of sessions: attendance facts for digests and reports, and
when people last took part (alumni outreach)."""

from __future__ import annotations

from cogs.sessions.activity import last_session_activity, session_event_ids
from cogs.sessions.attendance_store import (
    attendance_rows,
    missed_sessions,
    missed_sessions_by_person,
)

__all__ = [
    "attendance_rows",
    "last_session_activity",
    "missed_sessions",
    "missed_sessions_by_person",
    "session_event_ids",
]
