"""SQL for private conversations and their audit trail (`conversations`,
`conversation_events`), including the compare-and-set claims that keep re-announcements and
closing from happening twice.

Close reasons and facilitators' notes are health data, encrypted at rest with the data key;
export, deletion and encryption are declared in bot/data_catalogue.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database, Transaction

# Newest conversations one /conversation log shows (paged); it says how many older it omits.
HISTORY_LIMIT = 500


@dataclass(frozen=True)
class Conversation:
    id: int
    guild_id: int
    user_id: int
    topic: str
    origin: str
    alert_id: int | None
    status: str
    space_kind: str | None
    space_id: int | None
    notice_channel_id: int | None
    notice_message_id: int | None
    out_of_hours: bool
    claimed_by: int | None
    claimed_at: datetime | None
    first_reply_at: datetime | None
    waiting_since: datetime | None
    next_reannounce_at: datetime | None
    reannounces: int
    closed_by: int | None
    closed_at: datetime | None
    close_reason: str | None
    opened_at: datetime

    @property
    def open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class ConversationEvent:
    action: str
    actor_id: int | None
    at: datetime
    detail: str | None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _conversation(row: aiosqlite.Row, cipher: Cipher) -> Conversation:
    return Conversation(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        topic=row["topic"],
        origin=row["origin"],
        alert_id=row["alert_id"],
        status=row["status"],
        space_kind=row["space_kind"],
        space_id=row["space_id"],
        notice_channel_id=row["notice_channel_id"],
        notice_message_id=row["notice_message_id"],
        out_of_hours=bool(row["out_of_hours"]),
        claimed_by=row["claimed_by"],
        claimed_at=_when(row["claimed_at"]),
        first_reply_at=_when(row["first_reply_at"]),
        waiting_since=_when(row["waiting_since"]),
        next_reannounce_at=_when(row["next_reannounce_at"]),
        reannounces=row["reannounces"],
        closed_by=row["closed_by"],
        closed_at=_when(row["closed_at"]),
        close_reason=cipher.decrypt(row["close_reason"]),
        opened_at=datetime.fromisoformat(row["opened_at"]),
    )


class ConversationStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher

    async def conversation(self, conversation_id: int) -> Conversation | None:
        row = await self.db.fetch_one(
            "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
        )
        return _conversation(row, self.cipher) if row else None

    async def by_space(self, space_id: int) -> Conversation | None:
        row = await self.db.fetch_one(
            "SELECT * FROM conversations WHERE space_id = ? ORDER BY id DESC LIMIT 1",
            (space_id,),
        )
        return _conversation(row, self.cipher) if row else None

    async def open_for(self, guild_id: int, user_id: int) -> Conversation | None:
        row = await self.db.fetch_one(
            "SELECT * FROM conversations WHERE guild_id = ? AND user_id = ? AND status = 'open'",
            (guild_id, user_id),
        )
        return _conversation(row, self.cipher) if row else None

    async def open_space_ids(self) -> set[int]:
        """The threads/channels of every open conversation (kept in memory by the cog)."""
        rows = await self.db.fetch_all(
            "SELECT space_id FROM conversations WHERE status = 'open' AND space_id IS NOT NULL"
        )
        return {int(r[0]) for r in rows}

    async def history(
        self, guild_id: int, user_id: int, limit: int | None = None
    ) -> tuple[list[Conversation], int]:
        """The newest `limit` (default HISTORY_LIMIT) conversations, and how many there are
        in all, so the caller can say how many older ones it leaves out."""
        rows = await self.db.fetch_all(
            "SELECT * FROM conversations WHERE guild_id = ? AND user_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (guild_id, user_id, HISTORY_LIMIT if limit is None else limit),
        )
        total = await self.db.fetch_one(
            "SELECT COUNT(*) FROM conversations WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return [_conversation(r, self.cipher) for r in rows], int(total[0]) if total else 0

    async def create(
        self,
        *,
        guild_id: int,
        user_id: int,
        topic: str,
        origin: str,
        alert_id: int | None,
        out_of_hours: bool,
        now: datetime,
    ) -> int | None:
        """A new open conversation, or None if the person already has one (the partial
        unique index decides, so two quick submits can't open two)."""
        async with self.db.transaction() as tx:
            # ON CONFLICT, not a caught error: on PostgreSQL an error ends the transaction.
            row = await tx.fetch_one(
                "INSERT INTO conversations (guild_id, user_id, topic, origin, alert_id, "
                "out_of_hours, waiting_since, opened_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (
                    guild_id,
                    user_id,
                    topic,
                    origin,
                    alert_id,
                    int(out_of_hours),
                    now.isoformat(),
                    now.isoformat(),
                    now.isoformat(),
                ),
            )
            if row is None:
                return None
            conversation_id = int(row[0])
            await self._event(tx, conversation_id, "opened", user_id, now, f"{topic} via {origin}")
            return conversation_id

    async def discard(self, conversation_id: int) -> None:
        """Undo a conversation whose private space could not be opened at all."""
        await self.db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    async def placed(
        self, conversation_id: int, kind: str, space_id: int, notice: tuple[int, int] | None
    ) -> None:
        await self.db.execute(
            "UPDATE conversations SET space_kind = ?, space_id = ?, notice_channel_id = ?, "
            "notice_message_id = ? WHERE id = ?",
            (kind, space_id, *(notice or (None, None)), conversation_id),
        )

    async def claim(self, conversation_id: int, by: int, now: datetime) -> Conversation | None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE conversations SET claimed_by = ?, claimed_at = ?, updated_at = ? "
                "WHERE id = ? AND status = 'open'",
                (by, now.isoformat(), now.isoformat(), conversation_id),
            )
            await self._event(tx, conversation_id, "claimed", by, now, None)
        return await self.conversation(conversation_id)

    async def add_note(self, conversation_id: int, by: int, text: str, now: datetime) -> None:
        async with self.db.transaction() as tx:
            await self._event(tx, conversation_id, "note", by, now, text)

    async def note(
        self, conversation_id: int, action: str, by: int | None, now: datetime, detail: str = ""
    ) -> None:
        async with self.db.transaction() as tx:
            await self._event(tx, conversation_id, action, by, now, detail or None)

    async def close(
        self, conversation_id: int, by: int | None, reason: str, now: datetime
    ) -> Conversation | None:
        """Close once (compare-and-set on status): None if it was already closed."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE conversations SET status = 'closed', closed_by = ?, closed_at = ?, "
                "close_reason = ?, next_reannounce_at = NULL, waiting_since = NULL, "
                "updated_at = ? WHERE id = ? AND status = 'open' RETURNING id",
                (
                    by,
                    now.isoformat(),
                    self.cipher.encrypt(reason),
                    now.isoformat(),
                    conversation_id,
                ),
            )
            if row is None:
                return None
            await self._event(tx, conversation_id, "closed", by, now, reason)
        return await self.conversation(conversation_id)

    async def staff_replied(self, conversation_id: int, by: int, now: datetime) -> bool:
        """A facilitator wrote: nobody is waiting any more. True if that changed something."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE conversations SET first_reply_at = COALESCE(first_reply_at, ?), "
                "waiting_since = NULL, next_reannounce_at = NULL, updated_at = ? "
                "WHERE id = ? AND status = 'open' AND waiting_since IS NOT NULL RETURNING id",
                (now.isoformat(), now.isoformat(), conversation_id),
            )
            if row is None:
                return False
            await self._event(tx, conversation_id, "replied", by, now, None)
            return True

    async def person_wrote(self, conversation_id: int, now: datetime) -> bool:
        """The person wrote after a reply: they are waiting again. True if newly waiting."""
        row = await self.db.fetch_one(
            "UPDATE conversations SET waiting_since = ?, updated_at = ? "
            "WHERE id = ? AND status = 'open' AND waiting_since IS NULL RETURNING id",
            (now.isoformat(), now.isoformat(), conversation_id),
        )
        return row is not None

    async def schedule_reannounce(self, conversation_id: int, when: datetime | None) -> None:
        await self.db.execute(
            "UPDATE conversations SET next_reannounce_at = ? WHERE id = ? AND status = 'open'",
            (when.isoformat() if when else None, conversation_id),
        )

    async def claim_reannounce(
        self, conversation_id: int, due: datetime, next_at: datetime, now: datetime
    ) -> bool:
        """Take the re-announcement due at `due` (compare-and-set), so it is sent once even if
        two wake-ups race or the bot restarted; moves the next one to `next_at`."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE conversations SET next_reannounce_at = ?, reannounces = reannounces + 1, "
                "updated_at = ? WHERE id = ? AND status = 'open' AND waiting_since IS NOT NULL "
                "AND next_reannounce_at = ? RETURNING id",
                (next_at.isoformat(), now.isoformat(), conversation_id, due.isoformat()),
            )
            if row is None:
                return False
            await self._event(tx, conversation_id, "reannounced", None, now, None)
            return True

    async def due_reannouncements(self) -> list[tuple[int, datetime]]:
        """(conversation id, due time) of every pending re-announcement, to re-arm at start-up."""
        rows = await self.db.fetch_all(
            "SELECT id, next_reannounce_at FROM conversations "
            "WHERE next_reannounce_at IS NOT NULL AND status = 'open'"
        )
        return [(int(r[0]), datetime.fromisoformat(r[1])) for r in rows]

    async def events(self, conversation_id: int) -> list[ConversationEvent]:
        rows = await self.db.fetch_all(
            "SELECT action, actor_id, at, detail FROM conversation_events "
            "WHERE conversation_id = ? ORDER BY at, id",
            (conversation_id,),
        )
        return [
            ConversationEvent(r[0], r[1], datetime.fromisoformat(r[2]), self.cipher.decrypt(r[3]))
            for r in rows
        ]

    async def _event(
        self,
        tx: Transaction,
        conversation_id: int,
        action: str,
        actor: int | None,
        now: datetime,
        detail: str | None,
    ) -> None:
        await tx.execute(
            "INSERT INTO conversation_events (conversation_id, action, actor_id, at, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            (conversation_id, action, actor, now.isoformat(), self.cipher.encrypt(detail)),
        )
