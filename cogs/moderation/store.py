"""SQL for moderation actions and message reports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database

# Newest actions one /mod history shows (paged); the reply says how many older ones it omits.
HISTORY_LIMIT = 500


@dataclass(frozen=True)
class ModAction:
    id: int
    actor_id: int
    target_id: int | None
    action: str
    reason: str | None
    channel_id: int | None
    detail: str | None
    created_at: datetime


@dataclass(frozen=True)
class Report:
    id: int
    guild_id: int
    reporter_id: int
    author_id: int | None
    """None once the author's data was deleted."""
    channel_id: int
    message_id: int
    excerpt: str
    status: str
    alert_message_id: int | None


class ModerationStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher

    async def record(
        self,
        *,
        guild_id: int,
        actor_id: int,
        action: str,
        now: datetime,
        target_id: int | None = None,
        reason: str | None = None,
        channel_id: int | None = None,
        detail: str | None = None,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO mod_actions (guild_id, actor_id, target_id, action, reason, "
            "channel_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                actor_id,
                target_id,
                action,
                self.cipher.encrypt(reason),
                channel_id,
                detail,
                now.isoformat(),
            ),
        )

    async def history(
        self, guild_id: int, target_id: int, limit: int | None = None
    ) -> tuple[list[ModAction], int]:
        """The newest `limit` (default HISTORY_LIMIT) actions about someone, and how many
        there are in all, so the caller can say how many older ones it leaves out."""
        total = await self.db.fetch_one(
            "SELECT COUNT(*) FROM mod_actions WHERE guild_id = ? AND target_id = ?",
            (guild_id, target_id),
        )
        rows = await self.db.fetch_all(
            "SELECT id, actor_id, target_id, action, reason, channel_id, detail, created_at "
            "FROM mod_actions WHERE guild_id = ? AND target_id = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (guild_id, target_id, HISTORY_LIMIT if limit is None else limit),
        )
        return [
            replace(
                ModAction(*r[:7], created_at=datetime.fromisoformat(r["created_at"])),
                reason=self.cipher.decrypt(r["reason"]),
            )
            for r in rows
        ], int(total[0]) if total else 0

    async def add_report(
        self,
        *,
        guild_id: int,
        reporter_id: int,
        author_id: int,
        channel_id: int,
        message_id: int,
        excerpt: str,
        now: datetime,
    ) -> int | None:
        """A new report, or None if this person already reported this message."""
        async with self.db.transaction() as tx:
            if await tx.fetch_one(
                "SELECT 1 FROM reports WHERE reporter_id = ? AND message_id = ?",
                (reporter_id, message_id),
            ):
                return None
            return await tx.execute(
                "INSERT INTO reports (guild_id, reporter_id, author_id, channel_id, message_id, "
                "excerpt, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    reporter_id,
                    author_id,
                    channel_id,
                    message_id,
                    self.cipher.encrypt(excerpt),
                    now.isoformat(),
                ),
            )

    async def set_alert(self, report_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE reports SET alert_message_id = ? WHERE id = ?", (message_id, report_id)
        )

    async def report(self, report_id: int) -> Report | None:
        row = await self.db.fetch_one(
            "SELECT id, guild_id, reporter_id, author_id, channel_id, message_id, excerpt, "
            "status, alert_message_id FROM reports WHERE id = ?",
            (report_id,),
        )
        if row is None:
            return None
        report = Report(*row)
        return replace(report, excerpt=self.cipher.decrypt(report.excerpt) or "")

    async def handle(self, report_id: int, status: str, by: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE reports SET status = ?, handled_by = ?, handled_at = ? WHERE id = ?",
            (status, by, now.isoformat(), report_id),
        )
