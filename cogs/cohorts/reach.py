"""Care-team reach: which cohorts' people a facilitator may see. Program staff (the server's
facilitator role, or Manage Server) see every cohort; a care team member only their teams'.
Checked in every command that shows people's data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import discord

from bot.checks import member_is_facilitator
from bot.errors import GuildOnly, NotAuthorized, NotConfigured
from cogs.cohorts.team_store import TeamStore

if TYPE_CHECKING:
    from bot.client import LanternBot
    from bot.storage.database import Database
    from bot.storage.guilds import GuildConfig

OUTSIDE_REACH = "You can see only the people of the cohorts your care team looks after."


@dataclass(frozen=True)
class Reach:
    """Whose health data a facilitator may see: every cohort's people (program staff: the
    server's facilitator role, or Manage Server) or only their care teams' cohorts'."""

    staff: bool
    cohort_ids: frozenset[int] = frozenset()

    @property
    def any(self) -> bool:
        """A facilitator at all (program staff, or on at least one care team)."""
        return self.staff or bool(self.cohort_ids)

    def covers(self, cohort_id: int | None) -> bool:
        return self.staff or (cohort_id is not None and cohort_id in self.cohort_ids)

    def require(self, cohort_id: int) -> None:
        """Refuses a cohort outside this reach."""
        if not self.covers(cohort_id):
            raise NotAuthorized(OUTSIDE_REACH)


async def reach_of(db: Database, member: discord.Member, config: GuildConfig | None) -> Reach:
    """What `member` may see on their server (checked in every command that shows people)."""
    if member_is_facilitator(member, config):
        return Reach(staff=True)
    role_ids = [role.id for role in member.roles]
    cohorts = await TeamStore(db).cohorts_of(member.guild.id, member.id, role_ids)
    return Reach(staff=False, cohort_ids=frozenset(cohorts))


async def require_reach(interaction: discord.Interaction) -> tuple[GuildConfig, Reach]:
    """For commands that show people's data: program staff or a care team member of a
    configured server, and what they may see; anyone else gets a clear refusal."""
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        raise GuildOnly()
    bot = cast("LanternBot", interaction.client)
    config = await bot.guild_configs.get(interaction.guild.id)
    reach = await reach_of(bot.db, interaction.user, config)
    if not reach.any:
        raise NotAuthorized("Only facilitators can do this.")
    if config is None or not config.is_complete:
        raise NotConfigured()
    return config, reach


async def require_person_in_reach(db: Database, reach: Reach, guild_id: int, user_id: int) -> None:
    """Refuses a care team member asking about someone outside their cohorts (without
    saying whether that person is in another cohort)."""
    if reach.staff:
        return
    if not await _was_in_any(db, guild_id, user_id, reach.cohort_ids):
        raise NotAuthorized(OUTSIDE_REACH)


async def _was_in_any(db: Database, guild_id: int, user_id: int, cohort_ids: Iterable[int]) -> bool:
    """Whether the person was ever enrolled (in any state) in one of these cohorts."""
    wanted = set(cohort_ids)
    rows = await db.fetch_all(
        "SELECT cohort_id FROM enrollments WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    )
    return any(int(r[0]) in wanted for r in rows)


@dataclass(frozen=True)
class CareTeam:
    """Who looks after a person now: their active cohort's team, and where it is asked."""

    cohort_id: int
    cohort_name: str
    channel_id: int | None
    user_ids: tuple[int, ...]
    role_ids: tuple[int, ...]


async def care_team_of(db: Database, guild_id: int, user_id: int) -> CareTeam | None:
    """The care team of the person's active cohort; None when they are in none, or its
    cohort has no team (program staff look after them)."""
    row = await db.fetch_one(
        "SELECT c.id, c.name, c.team_channel_id FROM enrollments e JOIN cohorts c "
        "ON c.id = e.cohort_id WHERE e.guild_id = ? AND e.user_id = ? AND e.status = 'active' "
        "AND c.status = 'active'",
        (guild_id, user_id),
    )
    if row is None:
        return None
    seats = await TeamStore(db).seats(int(row[0]))
    if not seats:
        return None
    return CareTeam(
        cohort_id=int(row[0]),
        cohort_name=str(row[1]),
        channel_id=row[2],
        user_ids=tuple(s.user_id for s in seats if s.user_id is not None),
        role_ids=tuple(s.role_id for s in seats if s.role_id is not None),
    )


async def reaches_person(db: Database, reach: Reach, guild_id: int, user_id: int | None) -> bool:
    """Whether `reach` covers this person (any cohort they were ever in)."""
    if reach.staff:
        return True
    return user_id is not None and await _was_in_any(db, guild_id, user_id, reach.cohort_ids)
