"""SQL for safety plans: the only place that reads or writes `safety_plans`.

Plans are health data, encrypted at rest with the data key; export, deletion and encryption
are declared in bot/data_catalogue.py, the one catalogue the privacy feature acts on.
"""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.support.plan_parts import PLAN_PARTS, Person, SafetyPlan


def _plan(row: aiosqlite.Row, cipher: Cipher) -> SafetyPlan:
    people = tuple(Person(**p) for p in json.loads(cipher.decrypt(row["people"]) or "[]"))
    return SafetyPlan(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        parts={p: cipher.decrypt(row[p]) for p in PLAN_PARTS if p != "people" and row[p]},
        people=people,
        shared=bool(row["shared"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


class PlanStore:
    def __init__(self, db: Database, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.cipher = cipher

    async def plan(self, guild_id: int, user_id: int) -> SafetyPlan | None:
        row = await self.db.fetch_one(
            "SELECT * FROM safety_plans WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return _plan(row, self.cipher) if row else None

    async def save_part(
        self, guild_id: int, user_id: int, part: str, value: str | list[Person], now: datetime
    ) -> SafetyPlan:
        """Write one part only (an upsert touching that column), so the others are never lost
        even if two edits race or the bot restarts between them."""
        if part not in PLAN_PARTS:
            raise ValueError(f"unknown plan part {part!r}")
        if part == "people":
            people = value if isinstance(value, list) else []
            stored: str | None = (
                json.dumps([{"name": p.name, "reach": p.reach} for p in people]) if people else None
            )
        else:
            stored = str(value).strip() or None
        async with self.db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO safety_plans (guild_id, user_id, {part}, created_at, updated_at) "  # noqa: S608 (part is from PLAN_PARTS)
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
                f"{part} = excluded.{part}, updated_at = excluded.updated_at",
                (guild_id, user_id, self.cipher.encrypt(stored), now.isoformat(), now.isoformat()),
            )
            row = await tx.fetch_one(
                "SELECT * FROM safety_plans WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        assert row is not None  # noqa: S101 (just written in this transaction)
        return _plan(row, self.cipher)

    async def set_shared(self, guild_id: int, user_id: int, shared: bool, now: datetime) -> bool:
        """False if the person has no plan yet."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "UPDATE safety_plans SET shared = ?, shared_at = ?, updated_at = ? "
                "WHERE guild_id = ? AND user_id = ? RETURNING 1",
                (
                    int(shared),
                    now.isoformat() if shared else None,
                    now.isoformat(),
                    guild_id,
                    user_id,
                ),
            )
            return row is not None
