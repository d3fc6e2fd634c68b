"""SQL for crisis alerts, their audit trail, feedback and local resources (the cadence of
repeats and outreach is `cadence.py`, screening marks `marks.py`)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database

OPEN = "open"
CLOSED_STATUSES = ("closed", "false_alarm")


@dataclass(frozen=True)
class Alert:
    id: int
    guild_id: int
    user_id: int | None
    level: str
    score: float
    status: str
    source: str
    channel_id: int | None
    message_id: int | None
    jump_url: str | None
    excerpt: str | None
    reasons: list[dict[str, Any]]
    alert_channel_id: int | None
    alert_message_id: int | None
    thread_id: int | None
    messages: int
    realerts: int
    next_realert_at: datetime | None
    created_at: datetime
    last_message_at: datetime
    landed: str | None = None
    """Where the alert message went: escalation, log, dm (facilitators) or owner."""
    sent_offline_at: datetime | None = None
    """When the message was posted, if Lantern was offline then (caught up later)."""
    detection: dict[str, Any] | None = None
    """Which part of the detector decided: {"decided_by", "rules", "model"} (no words)."""

    @property
    def waiting(self) -> bool:
        """Nobody has acknowledged it yet."""
        return self.status == OPEN


@dataclass(frozen=True)
class Event:
    action: str
    actor_id: int | None
    at: datetime
    detail: str | None


@dataclass(frozen=True)
class LocalResource:
    id: int
    name: str
    contact: str
    hours: str | None
    note: str | None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _alert(row: Any, cipher: Cipher) -> Alert:
    return Alert(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        level=row["level"],
        score=row["score"],
        status=row["status"],
        source=row["source"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        jump_url=row["jump_url"],
        excerpt=cipher.decrypt(row["excerpt"]),
        reasons=json.loads(row["reasons"]),
        alert_channel_id=row["alert_channel_id"],
        alert_message_id=row["alert_message_id"],
        thread_id=row["thread_id"],
        messages=row["messages"],
        realerts=row["realerts"],
        next_realert_at=_when(row["next_realert_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        last_message_at=datetime.fromisoformat(row["last_message_at"]),
        landed=row["landed"],
        sent_offline_at=_when(row["sent_offline_at"]),
        detection=json.loads(row["detection"]) if row["detection"] else None,
    )


class CrisisStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher

    # --- alerts ----------------------------------------------------------------------

    async def get(self, alert_id: int) -> Alert | None:
        row = await self.db.fetch_one("SELECT * FROM crisis_alerts WHERE id = ?", (alert_id,))
        return _alert(row, self.cipher) if row else None

    async def recent_open(self, guild_id: int, user_id: int, since: datetime) -> Alert | None:
        """The person's alert still in progress that new messages should join."""
        row = await self.db.fetch_one(
            "SELECT * FROM crisis_alerts WHERE guild_id = ? AND user_id = ? "
            "AND status NOT IN ('closed', 'false_alarm') AND last_message_at >= ? "
            "ORDER BY id DESC LIMIT 1",
            (guild_id, user_id, since.isoformat()),
        )
        return _alert(row, self.cipher) if row else None

    async def latest_for(self, guild_id: int, user_id: int) -> Alert | None:
        row = await self.db.fetch_one(
            "SELECT * FROM crisis_alerts WHERE guild_id = ? AND user_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (guild_id, user_id),
        )
        return _alert(row, self.cipher) if row else None

    async def create(
        self,
        *,
        guild_id: int,
        user_id: int,
        level: str,
        score: float,
        source: str,
        channel_id: int | None,
        message_id: int | None,
        jump_url: str | None,
        excerpt: str,
        reasons: list[dict[str, Any]],
        now: datetime,
        sent_offline_at: datetime | None = None,
        detection: dict[str, Any] | None = None,
    ) -> int:
        async with self.db.transaction() as tx:
            alert_id = await tx.execute(
                "INSERT INTO crisis_alerts (guild_id, user_id, level, score, source, channel_id, "
                "message_id, jump_url, excerpt, reasons, created_at, last_message_at, "
                "updated_at, sent_offline_at, detection) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    user_id,
                    level,
                    score,
                    source,
                    channel_id,
                    message_id,
                    jump_url,
                    self.cipher.encrypt(excerpt),
                    json.dumps(reasons),
                    now.isoformat(),
                    now.isoformat(),
                    now.isoformat(),
                    sent_offline_at.isoformat() if sent_offline_at else None,
                    json.dumps(detection) if detection else None,
                ),
            )
            await self._event(tx, alert_id, "raised", None, now, f"{level} via {source}")
            return alert_id

    async def posted(
        self,
        alert_id: int,
        channel_id: int,
        message_id: int,
        thread_id: int | None,
        *,
        landed: str = "escalation",
    ) -> None:
        await self.db.execute(
            "UPDATE crisis_alerts SET alert_channel_id = ?, alert_message_id = ?, thread_id = ?, "
            "landed = ? WHERE id = ?",
            (channel_id, message_id, thread_id, landed, alert_id),
        )

    async def set_thread(self, alert_id: int, thread_id: int) -> None:
        await self.db.execute(
            "UPDATE crisis_alerts SET thread_id = ? WHERE id = ?", (thread_id, alert_id)
        )

    async def by_alert_message(self, message_id: int) -> Alert | None:
        row = await self.db.fetch_one(
            "SELECT * FROM crisis_alerts WHERE alert_message_id = ?", (message_id,)
        )
        return _alert(row, self.cipher) if row else None

    async def open_alerts(self, guild_id: int, limit: int = 500) -> list[Alert]:
        """Alerts nobody has acknowledged yet, newest first (for `/crisis ack`)."""
        rows = await self.db.fetch_all(
            "SELECT * FROM crisis_alerts WHERE guild_id = ? AND status = 'open' "
            "ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_alert(r, self.cipher) for r in rows]

    async def grouped(self, alert_id: int, level: str, score: float, now: datetime) -> None:
        """Another message joined this alert; the level only ever goes up."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE crisis_alerts SET messages = messages + 1, last_message_at = ?, "
                "updated_at = ?, score = CASE WHEN score < ? THEN ? ELSE score END, "
                "level = CASE WHEN ? = 'crisis' THEN 'crisis' ELSE level END WHERE id = ?",
                (now.isoformat(), now.isoformat(), score, score, level, alert_id),
            )
            await self._event(tx, alert_id, "grouped", None, now, level)

    async def schedule_realert(self, alert_id: int, when: datetime | None) -> None:
        await self.db.execute(
            "UPDATE crisis_alerts SET next_realert_at = ? WHERE id = ?",
            (when.isoformat() if when else None, alert_id),
        )

    async def claim_realert(
        self, alert_id: int, due: datetime, next_at: datetime, now: datetime
    ) -> int | None:
        """Take the re-alert due at `due` (compare-and-set), so it is sent once even if two
        wake-ups race; moves the next one to `next_at`. Returns the repeat's number."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE crisis_alerts SET next_realert_at = ?, realerts = realerts + 1, "
                "updated_at = ? WHERE id = ? AND status = 'open' AND next_realert_at = ? "
                "RETURNING realerts",
                (next_at.isoformat(), now.isoformat(), alert_id, due.isoformat()),
            )
            if row is None:
                return None
            await self._event(tx, alert_id, "realerted", None, now, None)
            return int(row[0])

    async def due_realerts(self) -> list[Alert]:
        rows = await self.db.fetch_all(
            "SELECT * FROM crisis_alerts WHERE next_realert_at IS NOT NULL AND status = 'open'"
        )
        return [_alert(r, self.cipher) for r in rows]

    async def set_status(
        self, alert_id: int, status: str, actor_id: int | None, now: datetime, detail: str = ""
    ) -> Alert | None:
        """Move an alert on; re-alerts stop once a human has acknowledged it."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE crisis_alerts SET status = ?, next_realert_at = NULL, updated_at = ? "
                "WHERE id = ?",
                (status, now.isoformat(), alert_id),
            )
            await self._event(tx, alert_id, status, actor_id, now, detail or None)
        return await self.get(alert_id)

    async def note(
        self, alert_id: int, action: str, actor_id: int | None, now: datetime, detail: str = ""
    ) -> None:
        async with self.db.transaction() as tx:
            await self._event(tx, alert_id, action, actor_id, now, detail or None)

    async def _event(
        self,
        tx: Any,
        alert_id: int,
        action: str,
        actor: int | None,
        now: datetime,
        detail: str | None,
    ) -> None:
        await tx.execute(
            "INSERT INTO crisis_alert_events (alert_id, action, actor_id, at, detail) "
            "VALUES (?, ?, ?, ?, ?)",
            (alert_id, action, actor, now.isoformat(), detail),
        )

    async def events(self, alert_id: int) -> list[Event]:
        rows = await self.db.fetch_all(
            "SELECT action, actor_id, at, detail FROM crisis_alert_events WHERE alert_id = ? "
            "ORDER BY at, id",
            (alert_id,),
        )
        return [Event(r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in rows]

    async def log(
        self, guild_id: int, people: Collection[int] | None = None, limit: int = 10
    ) -> list[Alert]:
        """The newest alerts of the server, or only of these people."""
        where, params = _of_people(guild_id, people)
        rows = await self.db.fetch_all(
            f"SELECT * FROM crisis_alerts WHERE {where} ORDER BY id DESC LIMIT ?",  # noqa: S608 (placeholders only)
            (*params, limit),
        )
        return [_alert(r, self.cipher) for r in rows]

    async def count(self, guild_id: int, people: Collection[int] | None = None) -> int:
        where, params = _of_people(guild_id, people)
        row = await self.db.fetch_one(
            f"SELECT COUNT(*) FROM crisis_alerts WHERE {where}",  # noqa: S608 (placeholders only)
            tuple(params),
        )
        return int(row[0]) if row else 0

    # --- feedback --------------------------------------------------------------------

    async def add_feedback(self, alert: Alert, label: str, by: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO crisis_feedback (alert_id, guild_id, text, detected, label, reasons, "
            "created_by, created_at, detection) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                alert.id,
                alert.guild_id,
                self.cipher.encrypt(alert.excerpt),
                alert.level,
                label,
                json.dumps(alert.reasons),
                by,
                now.isoformat(),
                json.dumps(alert.detection) if alert.detection else None,
            ),
        )

    async def feedback(self, guild_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetch_all(
            "SELECT text, detected, label, reasons, created_at, detection FROM crisis_feedback "
            "WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )
        return [
            {
                "text": self.cipher.decrypt(r[0]),
                "detected": r[1],
                "label": r[2],
                "reasons": json.loads(r[3]),
                "at": r[4],
                **(json.loads(r[5]) if r[5] else {"decided_by": "rules"}),
            }
            for r in rows
        ]

    # --- local resources -------------------------------------------------------------

    async def resources(self, guild_id: int) -> list[LocalResource]:
        rows = await self.db.fetch_all(
            "SELECT id, name, contact, hours, note FROM local_resources WHERE guild_id = ? "
            "ORDER BY name COLLATE NOCASE",
            (guild_id,),
        )
        return [LocalResource(*r) for r in rows]

    async def add_resource(
        self,
        guild_id: int,
        name: str,
        contact: str,
        hours: str | None,
        note: str | None,
        by: int,
        now: datetime,
    ) -> None:
        await self.db.execute(
            "INSERT INTO local_resources (guild_id, name, contact, hours, note, added_by, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, name, contact, hours, note, by, now.isoformat()),
        )

    async def remove_resource(self, guild_id: int, name: str) -> bool:
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "DELETE FROM local_resources WHERE guild_id = ? AND name = ? COLLATE NOCASE "
                "RETURNING id",
                (guild_id, name),
            )
            return row is not None


def _of_people(guild_id: int, people: Collection[int] | None) -> tuple[str, list[Any]]:
    """The WHERE clause for a server's alerts, or only these people's (none: no rows)."""
    if people is None:
        return "guild_id = ?", [guild_id]
    ids = sorted(people)
    marks = ", ".join("?" * len(ids)) or "NULL"
    return f"guild_id = ? AND user_id IN ({marks})", [guild_id, *ids]
