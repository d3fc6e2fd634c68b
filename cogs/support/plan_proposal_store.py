"""SQL for suggestions to a person's safety plan (`plan_proposals`): made by a facilitator
in a conversation, used only when the person says so.

Using one is a single transaction: the suggestion is still pending, its conversation still
open and the part still says what it said when suggested (else it is refused as stale), and
only then is the part written, through PlanStore. The suggested words are encrypted like the
plan and cleared once the person has answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from bot.crypto import PLAINTEXT, Cipher
from bot.storage import Database
from cogs.support.plan_parts import Person, SafetyPlan
from cogs.support.plan_store import PlanStore


class Outcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CHANGED = "changed"  # the part changed after it was suggested
    CLOSED = "closed"  # the conversation closed before the person answered


@dataclass(frozen=True)
class Proposal:
    id: int
    guild_id: int
    user_id: int
    conversation_id: int
    proposed_by: int | None
    part: str
    proposed: str | None
    status: Outcome
    channel_id: int | None
    message_id: int | None


def people_value(people: list[Person] | tuple[Person, ...]) -> str:
    return json.dumps([{"name": p.name, "reach": p.reach} for p in people]) if people else ""


def people_of(value: str) -> list[Person]:
    return [Person(**p) for p in json.loads(value or "[]")]


def part_value(plan: SafetyPlan | None, part: str) -> str:
    """What a part says, as one comparable string ("" when empty)."""
    if plan is None:
        return ""
    if part == "people":
        return people_value(plan.people)
    return plan.parts.get(part, "")


def _proposal(row: aiosqlite.Row, cipher: Cipher) -> Proposal:
    return Proposal(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        conversation_id=row["conversation_id"],
        proposed_by=row["proposed_by"],
        part=row["part"],
        proposed=cipher.decrypt(row["proposed"]),
        status=Outcome(row["status"]),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
    )


class ProposalStore:
    def __init__(self, db: Database, plans: PlanStore, cipher: Cipher = PLAINTEXT) -> None:
        self.db = db
        self.plans = plans
        self.cipher = cipher

    async def proposal(self, proposal_id: int) -> Proposal | None:
        row = await self.db.fetch_one("SELECT * FROM plan_proposals WHERE id = ?", (proposal_id,))
        return _proposal(row, self.cipher) if row else None

    async def create(
        self,
        *,
        guild_id: int,
        user_id: int,
        conversation_id: int,
        by: int,
        part: str,
        proposed: str,
        base: str,
        now: datetime,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO plan_proposals (guild_id, user_id, conversation_id, proposed_by, part, "
            "proposed, base, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                user_id,
                conversation_id,
                by,
                part,
                self.cipher.encrypt(proposed),
                self.cipher.encrypt(base),
                now.isoformat(),
            ),
        )

    async def placed(self, proposal_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE plan_proposals SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, proposal_id),
        )

    async def discard(self, proposal_id: int) -> None:
        """Undo a suggestion that could not be posted at all."""
        await self.db.execute("DELETE FROM plan_proposals WHERE id = ?", (proposal_id,))

    async def retire_closed(self, now: datetime) -> int:
        """Suggestions nobody answered before their conversation closed: their words are
        cleared (a click then says the conversation has closed). How many."""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "UPDATE plan_proposals SET status = 'closed', proposed = NULL, base = NULL, "
                "decided_at = ? WHERE status = 'pending' AND conversation_id IN "
                "(SELECT id FROM conversations WHERE status = 'closed') RETURNING id",
                (now.isoformat(),),
            )
        return len(rows)

    async def decide(self, proposal_id: int, use: bool, now: datetime) -> tuple[Outcome, bool]:
        """The person's answer, once (compare-and-set on `pending`). Using it writes the part
        in the same transaction, unless it has gone stale. Returns the proposal's status after
        the call, and whether this call decided it (False: it had been answered before)."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT p.*, c.status AS conversation_status FROM plan_proposals p "
                "LEFT JOIN conversations c ON c.id = p.conversation_id WHERE p.id = ?",
                (proposal_id,),
            )
            if row is None:
                raise LookupError(proposal_id)
            if row["status"] != Outcome.PENDING:
                return Outcome(row["status"]), False
            outcome = Outcome.DECLINED
            if use:
                current = await self.plans.plan(row["guild_id"], row["user_id"])
                if row["conversation_status"] != "open":
                    outcome = Outcome.CLOSED
                elif part_value(current, row["part"]) != (self.cipher.decrypt(row["base"]) or ""):
                    outcome = Outcome.CHANGED
                else:
                    outcome = Outcome.ACCEPTED
                    await self._write(row, now)
            await tx.execute(
                "UPDATE plan_proposals SET status = ?, proposed = NULL, base = NULL, "
                "decided_at = ? WHERE id = ? AND status = 'pending'",
                (outcome.value, now.isoformat(), proposal_id),
            )
            return outcome, True

    async def _write(self, row: aiosqlite.Row, now: datetime) -> SafetyPlan:
        text = self.cipher.decrypt(row["proposed"]) or ""
        value: str | list[Person] = people_of(text) if row["part"] == "people" else text
        # PlanStore joins this transaction (Database.transaction nests).
        return await self.plans.save_part(row["guild_id"], row["user_id"], row["part"], value, now)
