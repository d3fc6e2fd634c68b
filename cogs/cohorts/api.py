"""What other features may use of cohorts: read-only membership, lookups for commands, and
the events cohorts dispatch.

Other features never read the cohort tables (cohorts, enrollments, graduations,
cohort_team) themselves; they use `Membership` (reads only), `reach_of` (which cohorts'
people a facilitator may see: every cohort for program staff, their care teams' otherwise),
`find_cohort`/`cohort_choices` (a command's `cohort` option, given a `Membership`),
`record_congratulation` (the one write: alumni's "yes" on a graduation) and react to these
events (`bot.dispatch`, handled as `on_<name>`):

- ``cohort_member_joined(member, cohort)``: a person agreed to the group agreement and now
  takes part (check-in prompts, reminders start).
- ``cohort_member_left(guild, user_id, cohort, reason)``: reason "graduated" (alumni offers
  its congratulation) or "removed" (removed by hand, or un-enrolled when the cohort was
  archived). Dispatched after the enrolment has ended in the database.
- ``cohort_extended(guild_id, cohort_id, old_end, new_end)``: `/cohort extend` moved a
  cohort's end date (dates); sessions carries on the series that ran to the old end.
- ``cohort_spaces_changed(guild_id)``: a cohort was created, archived, deleted or its
  channels were rebuilt by `/cohort repair`, so the set of live cohort channels
  (`Membership.live_channels()`) may have changed. Dispatched after the database holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.cogs import loaded_cog
from cogs.cohorts.logic import CohortStatus, EnrollmentStatus
from cogs.cohorts.lookup import cohort_choices, find_cohort
from cogs.cohorts.reach import (
    OUTSIDE_REACH,
    CareTeam,
    Reach,
    care_team_of,
    reach_of,
    reaches_person,
    require_person_in_reach,
    require_reach,
)
from cogs.cohorts.store import Cohort, CohortStore, Enrollment
from cogs.cohorts.team_post import post_to_team, team_mentions

if TYPE_CHECKING:
    from bot.storage.database import Database

__all__ = [
    "OUTSIDE_REACH",
    "CareTeam",
    "Cohort",
    "CohortStatus",
    "Enrollment",
    "EnrollmentStatus",
    "Membership",
    "Reach",
    "care_team_of",
    "cohort_choices",
    "find_cohort",
    "owning_cohort",
    "post_to_team",
    "reach_of",
    "reaches_person",
    "record_congratulation",
    "require_person_in_reach",
    "require_reach",
    "team_mentions",
]


class Membership:
    """Read-only questions about cohorts and who is in them."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._store = CohortStore(db)

    async def get(self, guild_id: int, cohort_id: int) -> Cohort | None:
        return await self._store.get(guild_id, cohort_id)

    async def by_name(self, guild_id: int, name: str) -> Cohort | None:
        """The cohort (active or archived) called `name`, ignoring case."""
        return await self._store.by_name(guild_id, name)

    async def list(self, guild_id: int, *, include_archived: bool = True) -> list[Cohort]:
        return await self._store.list(guild_id, include_archived=include_archived)

    async def all_active(self) -> list[Cohort]:
        return await self._store.all_active()

    async def members(self, cohort_id: int, *, open_only: bool = True) -> list[Enrollment]:
        """Enrolments, oldest first: open ones (consent pending or active) by default."""
        return await self._store.members(cohort_id, open_only=open_only)

    async def history(self, cohort_id: int) -> list[Enrollment]:
        """Everyone ever enrolled, latest enrolment per person."""
        return await self._store.history(cohort_id)

    async def open_enrollment(self, guild_id: int, user_id: int) -> Enrollment | None:
        """The person's enrolment with consent pending or active, if any."""
        return await self._store.open_enrollment(guild_id, user_id)

    async def is_enrolled(self, guild_id: int, user_id: int) -> bool:
        return await self._store.open_enrollment(guild_id, user_id) is not None

    async def enrolled_people(self, guild_id: int) -> set[int]:
        """Everyone with an open enrolment (consent pending or active) on the server: a
        graduate among them has come back to a cohort."""
        return {e.user_id for e in await self._store.open_enrollments(guild_id)}

    async def active_cohort_of(self, guild_id: int, user_id: int) -> int | None:
        """The cohort the person takes part in now (consent given), if any."""
        row = await self._db.fetch_one(
            "SELECT cohort_id FROM enrollments WHERE guild_id = ? AND user_id = ? "
            "AND status = 'active'",
            (guild_id, user_id),
        )
        return int(row["cohort_id"]) if row else None

    async def active_members(self, cohort_id: int) -> list[int]:
        """User ids of the cohort's active members, in order of enrolment."""
        rows = await self._db.fetch_all(
            "SELECT user_id FROM enrollments WHERE cohort_id = ? AND status = 'active' "
            "ORDER BY enrolled_at, id",
            (cohort_id,),
        )
        return [int(r["user_id"]) for r in rows]

    async def active_enrolments(self, cohort_ids: list[int]) -> list[tuple[int, int, int]]:
        """(cohort id, guild id, user id) of the active members of several cohorts, in order
        of enrolment."""
        if not cohort_ids:
            return []
        marks = ",".join("?" * len(cohort_ids))
        rows = await self._db.fetch_all(
            "SELECT cohort_id, guild_id, user_id FROM enrollments "  # noqa: S608 (placeholders only)
            f"WHERE status = 'active' AND cohort_id IN ({marks}) ORDER BY enrolled_at, id",
            tuple(cohort_ids),
        )
        return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def people_of(self, cohort_ids: Iterable[int]) -> set[int]:
        """Everyone ever enrolled (in any state) in these cohorts."""
        ids = sorted(set(cohort_ids))
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        rows = await self._db.fetch_all(
            f"SELECT DISTINCT user_id FROM enrollments WHERE cohort_id IN ({marks})",  # noqa: S608 (placeholders only)
            tuple(ids),
        )
        return {int(r[0]) for r in rows}

    async def graduated_on(self, guild_id: int, user_id: int, cohort_id: int) -> date | None:
        return await self._store.graduated_on(guild_id, user_id, cohort_id)

    async def graduates(self, guild_id: int) -> list[tuple[int, int, str, date]]:
        """(user id, cohort id, cohort name, graduation day) of the server's graduates."""
        return await self._store.graduates(guild_id)

    async def graduations_since(self, day: date) -> list[tuple[int, int, int, str]]:
        """(guild id, user id, cohort id, cohort name) of everyone graduated since `day`."""
        return await self._store.graduations_since(day)

    async def servers_of(self, user_id: int) -> list[int]:
        """The servers where the person has ever been enrolled: open enrolments first, then
        the most recent (a DM from them belongs to that program)."""
        rows = await self._db.fetch_all(
            "SELECT guild_id, MAX(CASE WHEN status IN ('pending_consent', 'active') THEN 1 "
            "ELSE 0 END) AS open_now, MAX(enrolled_at) AS latest FROM enrollments "
            "WHERE user_id = ? GROUP BY guild_id ORDER BY open_now DESC, latest DESC",
            (user_id,),
        )
        return [int(r[0]) for r in rows]

    async def graduation_guild(self, user_id: int, cohort_id: int) -> int | None:
        """The server where this person graduated from this cohort (None if they didn't):
        for buttons in DMs, which carry no server."""
        return await self._store.graduation_guild(user_id, cohort_id)

    async def member_role_ids(self, guild_id: int, user_id: int) -> list[int]:
        """Ids of the cohort roles (current and history) of every cohort the person was in."""
        rows = await self._db.fetch_all(
            "SELECT c.role_id, c.history_role_id FROM enrollments e JOIN cohorts c "
            "ON c.id = e.cohort_id WHERE e.guild_id = ? AND e.user_id = ?",
            (guild_id, user_id),
        )
        return [role_id for row in rows for role_id in row if role_id]

    async def live_channels(self) -> list[tuple[int, int]]:
        """(guild id, channel id) of every active cohort's text channels."""
        rows = await self._db.fetch_all(
            "SELECT guild_id, announcements_channel_id, group_channel_id, checkins_channel_id "
            "FROM cohorts WHERE status = 'active'"
        )
        return [(r[0], channel) for r in rows for channel in r[1:] if channel is not None]


async def record_congratulation(db: Database, guild_id: int, user_id: int, cohort_id: int) -> bool:
    """Record a graduate's yes to being celebrated (the flag lives on their graduation);
    False if it was already recorded, so the celebration is posted once."""
    return await CohortStore(db).mark_congratulated(guild_id, user_id, cohort_id)


async def owning_cohort(client: Any, guild_id: int, object_id: int) -> Cohort | None:
    """The live cohort whose channel or role has this id; None when there is none (or while
    cohorts are not loaded)."""
    from cogs.cohorts.cog import Cohorts

    cog = loaded_cog(client, Cohorts)
    found = await cog.store.owning(guild_id, object_id) if cog is not None else None
    return found[0] if found is not None else None
