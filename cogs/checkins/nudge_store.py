"""SQL of a prompt's one reminder: the "nudge" a few hours after an unanswered prompt, or
the time the person asked for ("Remind me in 1 hour / tonight"). Kept on the prompt's row
(`nudge_at`, `nudged_at`), so a restart re-arms it."""

from __future__ import annotations

from datetime import datetime

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.checkins.models import Prompt, decrypted, prompt_of


class NudgeStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher

    async def pending_nudges(self) -> list[Prompt]:
        rows = await self.db.fetch_all(
            "SELECT * FROM checkin_prompts WHERE status = 'sent' AND nudge_at IS NOT NULL "
            "AND nudged_at IS NULL"
        )
        return await decrypted(rows, self.cipher, prompt_of)

    async def snooze(self, prompt_id: int, until: datetime) -> bool:
        """The person asked to be reminded later: the prompt's reminder moves to `until`
        (again, even if it was already sent). False if the prompt is no longer open."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE checkin_prompts SET nudge_at = ?, nudged_at = NULL "
                "WHERE id = ? AND status = 'sent' RETURNING id",
                (until.isoformat(), prompt_id),
            )
        return row is not None

    async def mark_nudged(self, prompt_id: int, now: datetime) -> bool:
        """True once: the nudge is claimed before it is sent (a conditional update, so two
        processes never both send it)."""
        row = await self.db.fetch_one(
            "UPDATE checkin_prompts SET nudged_at = ? WHERE id = ? AND status = 'sent' "
            "AND nudged_at IS NULL RETURNING 1",
            (now.isoformat(), prompt_id),
        )
        return row is not None
