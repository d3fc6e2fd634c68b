"""SQL of care teams: who (a person, or everyone with a role) looks after which cohort."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.storage import Database


@dataclass(frozen=True)
class Seat:
    """One place on a cohort's care team: a person or a role (exactly one is set)."""

    cohort_id: int
    user_id: int | None
    role_id: int | None
    added_by: int
    added_at: str

    @property
    def mention(self) -> str:
        return f"<@{self.user_id}>" if self.user_id is not None else f"<@&{self.role_id}>"


class TeamStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        guild_id: int,
        cohort_id: int,
        *,
        user_id: int | None = None,
        role_id: int | None = None,
        by: int,
        now: datetime,
    ) -> bool:
        """False if they were already on the team."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "INSERT INTO cohort_team (cohort_id, guild_id, user_id, role_id, added_by, "
                "added_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (cohort_id, guild_id, user_id, role_id, by, now.isoformat()),
            )
        return row is not None

    async def remove(
        self, cohort_id: int, *, user_id: int | None = None, role_id: int | None = None
    ) -> bool:
        """False if they were not on the team."""
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "DELETE FROM cohort_team WHERE cohort_id = ? AND user_id IS ? AND role_id IS ? "
                "RETURNING id",
                (cohort_id, user_id, role_id),
            )
        return row is not None

    async def seats(self, cohort_id: int) -> list[Seat]:
        rows = await self.db.fetch_all(
            "SELECT cohort_id, user_id, role_id, added_by, added_at FROM cohort_team "
            "WHERE cohort_id = ? ORDER BY role_id IS NULL, added_at, id",
            (cohort_id,),
        )
        return [Seat(*row) for row in rows]

    async def cohorts_of(self, guild_id: int, user_id: int, role_ids: Iterable[int]) -> set[int]:
        """The cohorts whose team has this person, or one of these roles."""
        rows = await self.db.fetch_all(
            "SELECT cohort_id, user_id, role_id FROM cohort_team WHERE guild_id = ?",
            (guild_id,),
        )
        roles = set(role_ids)
        return {
            int(r["cohort_id"])
            for r in rows
            if r["user_id"] == user_id or (r["role_id"] is not None and r["role_id"] in roles)
        }

    async def holders(self, guild_id: int) -> tuple[set[int], set[int]]:
        """Everyone (user ids) and every role (role ids) with a seat on a team of the server."""
        rows = await self.db.fetch_all(
            "SELECT DISTINCT user_id, role_id FROM cohort_team WHERE guild_id = ?", (guild_id,)
        )
        users = {int(r["user_id"]) for r in rows if r["user_id"] is not None}
        return users, {int(r["role_id"]) for r in rows if r["role_id"] is not None}

    async def forget(
        self, guild_id: int, *, user_id: int | None = None, role_id: int | None = None
    ) -> int:
        """Take a person who left (or a deleted role) off every team of the server: someone
        who comes back later starts with no access."""
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "DELETE FROM cohort_team WHERE guild_id = ? AND (user_id = ? OR role_id = ?) "
                "RETURNING id",
                (guild_id, user_id, role_id),
            )
        return len(rows)
