"""What other features may use of sessions: attendance facts for digests and reports."""

from __future__ import annotations

from cogs.sessions.attendance_store import (
    attendance_rows,
    missed_sessions,
    missed_sessions_by_person,
)

__all__ = ["attendance_rows", "missed_sessions", "missed_sessions_by_person"]
