"""SQL for check-in schedules (settings), the prompts they send, and the digest's own
claim: what runs before anyone has answered. Saved check-ins are in record_store.py."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.checkins import schedule
from cogs.checkins.models import Prompt, Settings, decrypted, prompt_of, settings_of

# Draft columns a button, select or the note modal may set on a prompt.
DRAFT_COLUMNS = frozenset(
    {"mood", "cravings", "sleep_hours", "used", "note", "share", "share_note"}
)


class PromptStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        # Draft notes are health data: encrypted at rest with the data key.
        self.cipher = cipher

    # --- settings --------------------------------------------------------------------

    async def settings(self, guild_id: int, user_id: int) -> Settings | None:
        row = await self.db.fetch_one(
            "SELECT * FROM checkin_settings WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return settings_of(row) if row else None

    async def settings_by_id(self, settings_id: int) -> Settings | None:
        row = await self.db.fetch_one("SELECT * FROM checkin_settings WHERE id = ?", (settings_id,))
        return settings_of(row) if row else None

    async def enabled_settings(self) -> list[Settings]:
        rows = await self.db.fetch_all("SELECT * FROM checkin_settings WHERE enabled = 1")
        return [settings_of(r) for r in rows]

    async def people_settings(self, guild_id: int, user_ids: list[int]) -> dict[int, Settings]:
        """The schedules of these people (the digest's cohort), by person."""
        found: dict[int, Settings] = {}
        for chunk in _chunks(user_ids):
            marks = ", ".join("?" for _ in chunk)
            rows = await self.db.fetch_all(
                "SELECT * FROM checkin_settings WHERE guild_id = ? "  # noqa: S608 (marks only)
                f"AND user_id IN ({marks})",
                (guild_id, *chunk),
            )
            found.update((r["user_id"], settings_of(r)) for r in rows)
        return found

    async def save_settings(
        self,
        *,
        guild_id: int,
        user_id: int,
        enabled: bool,
        cadence: str,
        local_time: time,
        timezone: str,
        days: frozenset[int],
        nudge: bool,
        last_due_at: datetime | None,
        now: datetime,
    ) -> Settings:
        """Create or replace someone's schedule (one transaction), and return it."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO checkin_settings (guild_id, user_id, enabled, cadence, local_time, "
                "timezone, days, nudge, last_due_at, stopped_reason, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET enabled = excluded.enabled, "
                "cadence = excluded.cadence, local_time = excluded.local_time, "
                "timezone = excluded.timezone, days = excluded.days, nudge = excluded.nudge, "
                "last_due_at = excluded.last_due_at, stopped_reason = excluded.stopped_reason, "
                "updated_at = excluded.updated_at",
                (
                    guild_id,
                    user_id,
                    int(enabled),
                    cadence,
                    schedule.format_time(local_time),
                    timezone,
                    schedule.encode_days(days),
                    int(nudge),
                    last_due_at.isoformat() if last_due_at else None,
                    None if enabled else "opted out",
                    now.isoformat(),
                ),
            )
            row = await tx.fetch_one(
                "SELECT * FROM checkin_settings WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        if row is None:
            raise RuntimeError("settings vanished inside their own transaction")
        return settings_of(row)

    async def stop(
        self, guild_id: int, user_id: int, reason: str, now: datetime
    ) -> Settings | None:
        """No more prompts (opted out, removed, graduated); open prompts close too."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE checkin_settings SET enabled = 0, stopped_reason = ?, updated_at = ? "
                "WHERE guild_id = ? AND user_id = ?",
                (reason, now.isoformat(), guild_id, user_id),
            )
            await tx.execute(
                "UPDATE checkin_prompts SET status = 'expired' WHERE guild_id = ? AND "
                "user_id = ? AND status IN ('queued', 'sent')",
                (guild_id, user_id),
            )
            row = await tx.fetch_one(
                "SELECT * FROM checkin_settings WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        return settings_of(row) if row else None

    async def set_dm_channel(self, settings_id: int, channel_id: int) -> None:
        await self.db.execute(
            "UPDATE checkin_settings SET dm_channel_id = ?, dm_closed_at = NULL WHERE id = ?",
            (channel_id, settings_id),
        )

    async def mark_dm_closed(self, guild_id: int, user_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE checkin_settings SET dm_closed_at = ? WHERE guild_id = ? AND user_id = ?",
            (now.isoformat(), guild_id, user_id),
        )

    # --- prompts ---------------------------------------------------------------------

    async def claim_occurrence(
        self, settings: Settings, due_at: datetime, *, late: bool, now: datetime
    ) -> int | None:
        """Record one scheduled occurrence and move the schedule past it, atomically.
        Returns the prompt id to send, or None (already claimed, or too late to send)."""
        day = schedule.local_day(due_at, settings.timezone)
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE checkin_settings SET last_due_at = ? WHERE id = ? AND "
                "(last_due_at IS NULL OR last_due_at < ?)",
                (due_at.isoformat(), settings.id, due_at.isoformat()),
            )
            # The partial unique index on (settings_id, due_at) makes a second claim a no-op.
            claimed = await tx.fetch_one(
                "INSERT INTO checkin_prompts (settings_id, guild_id, user_id, kind, due_at, "
                "local_day, status, created_at) VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?) "
                "ON CONFLICT (settings_id, due_at) WHERE settings_id IS NOT NULL DO NOTHING "
                "RETURNING id",
                (
                    settings.id,
                    settings.guild_id,
                    settings.user_id,
                    due_at.isoformat(),
                    day.isoformat(),
                    "missed" if late else "queued",
                    now.isoformat(),
                ),
            )
        if claimed is None or late:
            return None
        return int(claimed["id"])

    async def prompt_with_settings(self, prompt_id: int) -> tuple[Prompt, Settings] | None:
        """A scheduled prompt and its schedule, in one query (the delivery hot path)."""
        row = await self.db.fetch_one(
            "SELECT p.*, s.id AS s_id, s.enabled AS s_enabled, s.cadence AS s_cadence, "
            "s.local_time AS s_local_time, s.timezone AS s_timezone, s.days AS s_days, "
            "s.nudge AS s_nudge, s.last_due_at AS s_last_due_at, "
            "s.dm_channel_id AS s_dm_channel_id, s.dm_closed_at AS s_dm_closed_at, "
            "s.stopped_reason AS s_stopped_reason "
            "FROM checkin_prompts p JOIN checkin_settings s ON s.id = p.settings_id "
            "WHERE p.id = ?",
            (prompt_id,),
        )
        if row is None:
            return None
        return prompt_of(row, self.cipher), settings_of(row, "s_")

    async def create_now_prompt(self, guild_id: int, user_id: int, day: date, now: datetime) -> int:
        return await self.db.execute(
            "INSERT INTO checkin_prompts (guild_id, user_id, kind, due_at, local_day, status, "
            "sent_at, created_at) VALUES (?, ?, 'now', ?, ?, 'sent', ?, ?)",
            (guild_id, user_id, now.isoformat(), day.isoformat(), now.isoformat(), now.isoformat()),
        )

    async def prompt(self, prompt_id: int) -> Prompt | None:
        row = await self.db.fetch_one("SELECT * FROM checkin_prompts WHERE id = ?", (prompt_id,))
        return prompt_of(row, self.cipher) if row else None

    async def queued_prompts(self) -> list[Prompt]:
        rows = await self.db.fetch_all(
            "SELECT * FROM checkin_prompts WHERE status = 'queued' ORDER BY due_at, id"
        )
        return await decrypted(rows, self.cipher, prompt_of)

    async def set_status(self, prompt_id: int, status: str) -> None:
        await self.db.execute(
            "UPDATE checkin_prompts SET status = ? WHERE id = ?", (status, prompt_id)
        )

    async def mark_sent(
        self,
        prompt: Prompt,
        *,
        channel_id: int,
        message_id: int,
        nudge_at: datetime | None,
        now: datetime,
        settings: Settings | None = None,
    ) -> None:
        """Sent: earlier prompts of this person that were never answered expire now."""
        async with self.db.transaction() as tx:
            await tx.execute(
                # Not over an answer given before the send was recorded.
                "UPDATE checkin_prompts SET status = 'sent', channel_id = ?, message_id = ?, "
                "sent_at = ?, nudge_at = ? WHERE id = ? AND status IN ('queued', 'sent')",
                (
                    channel_id,
                    message_id,
                    now.isoformat(),
                    nudge_at.isoformat() if nudge_at else None,
                    prompt.id,
                ),
            )
            await tx.execute(
                "UPDATE checkin_prompts SET status = 'expired' WHERE guild_id = ? AND "
                "user_id = ? AND kind = 'scheduled' AND status = 'sent' AND id != ?",
                (prompt.guild_id, prompt.user_id, prompt.id),
            )
            known = settings is not None and (
                settings.dm_channel_id == channel_id and settings.dm_closed_at is None
            )
            if prompt.settings_id is not None and not known:
                await tx.execute(
                    "UPDATE checkin_settings SET dm_channel_id = ?, dm_closed_at = NULL "
                    "WHERE id = ?",
                    (channel_id, prompt.settings_id),
                )

    async def set_draft(self, prompt_id: int, column: str, value: Any) -> None:
        if column not in DRAFT_COLUMNS:
            raise ValueError(f"not a draft column: {column}")
        await self.db.execute(
            f"UPDATE checkin_prompts SET {column} = ? WHERE id = ? "  # noqa: S608 (fixed names)
            "AND status IN ('queued', 'sent')",
            (self.cipher.encrypt(value) if column == "note" else value, prompt_id),
        )

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
        """True once per server and day: claimed before posting, so a restart (or another
        process) never posts the same digest twice. One conditional upsert: at PostgreSQL's
        READ COMMITTED a second claimer waits for the row and then changes nothing."""
        row = await self.db.fetch_one(
            "INSERT INTO checkin_digests (guild_id, local_time, last_day, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
            "last_day = excluded.last_day WHERE checkin_digests.last_day IS NULL "
            "OR checkin_digests.last_day < excluded.last_day RETURNING 1",
            (guild_id, schedule.format_time(default_time), day.isoformat(), now.isoformat()),
        )
        return row is not None


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """SQLite allows 999 parameters in older builds: stay well under."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
