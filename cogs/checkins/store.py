"""SQL for check-ins, prompts, schedules, assessments and digests (this feature's only SQL).

`CheckinStore` is assembled from one part per aggregate: schedules and prompts in
prompt_store.py, check-ins and assessments in record_store.py; digests and deleting a person
are here."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.checkins import schedule
from cogs.checkins.prompt_store import DRAFT_COLUMNS, Prompt, Settings, SettingsAndPrompts
from cogs.checkins.record_store import Assessment, Checkin, CheckinsAndAssessments

__all__ = ["DRAFT_COLUMNS", "Assessment", "Checkin", "CheckinStore", "Prompt", "Settings"]


class CheckinStore(SettingsAndPrompts, CheckinsAndAssessments):
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        # Notes are health data: encrypted at rest with the data key (drafts too).
        self.cipher = cipher

    # --- digests ---------------------------------------------------------------------

    async def digest(self, guild_id: int) -> tuple[time, date | None] | None:
        row = await self.db.fetch_one(
            "SELECT local_time, last_day FROM checkin_digests WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return None
        last = date.fromisoformat(row["last_day"]) if row["last_day"] else None
        return time.fromisoformat(row["local_time"]), last

    async def save_digest_time(self, guild_id: int, local_time: time, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_digests (guild_id, local_time, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET local_time = excluded.local_time, "
            "updated_at = excluded.updated_at",
            (guild_id, schedule.format_time(local_time), now.isoformat()),
        )

    async def claim_digest_day(
        self, guild_id: int, day: date, default_time: time, now: datetime
    ) -> bool:
        """True once per server and day: claimed before posting, so a restart never
        posts the same digest twice."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT last_day FROM checkin_digests WHERE guild_id = ?", (guild_id,)
            )
            if row is not None and row["last_day"] and row["last_day"] >= day.isoformat():
                return False
            if row is None:
                await tx.execute(
                    "INSERT INTO checkin_digests (guild_id, local_time, last_day, updated_at) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        guild_id,
                        schedule.format_time(default_time),
                        day.isoformat(),
                        now.isoformat(),
                    ),
                )
            else:
                await tx.execute(
                    "UPDATE checkin_digests SET last_day = ? WHERE guild_id = ?",
                    (day.isoformat(), guild_id),
                )
            return True
