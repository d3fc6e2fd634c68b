"""A program that ends well: three days before a cohort's end date, and on the day, its care
team (program staff when it has none) is asked what happens next: graduate everyone, extend
or archive, with buttons (`ending_views.py`).

The asks go through the outbox, one per cohort, end date and stage (the key), so a restart
or a second run never asks twice, and an extended cohort is asked again about its new end.
An hourly job (and each start-up) enqueues what is due; an ask whose cohort was archived or
extended before it went out is dropped."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import discord
from apscheduler.triggers.interval import IntervalTrigger

from bot.client import LanternBot
from bot.outbox import ROUTINE, Item, Landed, Undeliverable
from bot.staff import staff_channel
from bot.storage.database import DatabaseClosedError
from bot.storage.guilds import GuildConfig
from cogs.cohorts.ending_views import ending_view
from cogs.cohorts.logic import CohortStatus, EnrollmentStatus
from cogs.cohorts.store import Cohort, CohortStore
from cogs.cohorts.team_post import team_mentions
from cogs.cohorts.team_store import TeamStore

log = logging.getLogger(__name__)

ENDING = "cohort_ending"
JOB_ID = "cohorts:ending"
BEFORE_DAYS = 3
LATE_DAYS = 2
"""An ask missed while Lantern was down still goes out up to this many days late."""


def stage_due(ends_on: date, today: date) -> str | None:
    """Which ask is due on `today` (the program's local date): "before" in the three days
    before the end, "day" from the end date on (for LATE_DAYS more), else None."""
    if ends_on - timedelta(days=BEFORE_DAYS) <= today < ends_on:
        return "before"
    if ends_on <= today <= ends_on + timedelta(days=LATE_DAYS):
        return "day"
    return None


def ask_text(cohort: Cohort, stage: str, today: date) -> tuple[str, str]:
    """The embed's title and description."""
    days = (cohort.ends_on - today).days
    if stage == "before":
        when = "tomorrow" if days == 1 else f"in {days} days"
        title = f"{cohort.name} ends {when} ({cohort.ends_on:%a %b %d})"
    elif days == 0:
        title = f"{cohort.name} ends today"
    else:
        title = f"{cohort.name} ended on {cohort.ends_on:%a %b %d}"
    body = (
        "What happens next?\n"
        "• **Graduate everyone**: each person gets the alumni role and the alumni space "
        "(you confirm first); then archive the cohort.\n"
        "• **Extend**: a later end date; its session series carry on.\n"
        "• **Archive**: the channels become read-only; anyone still enrolled is un-enrolled, "
        "not graduated."
    )
    return title, body


class EndingAsks:
    def __init__(self, bot: LanternBot, store: CohortStore) -> None:
        self.bot = bot
        self.store = store
        self.teams = TeamStore(bot.db)

    async def start(self) -> None:
        self.bot.outbox.register(ENDING, self.deliver, ROUTINE)
        self.bot.scheduler.add(JOB_ID, IntervalTrigger(hours=1), self.run, grace_seconds=3600)

    def stop(self) -> None:
        self.bot.outbox.unregister(ENDING)
        self.bot.scheduler.remove(JOB_ID)

    async def run(self) -> int:
        """Enqueue every ask due now; returns how many were new."""
        now = self.bot.clock.now()
        new = 0
        try:
            for cohort in await self.store.all_active():
                config = await self.bot.guild_configs.get(cohort.guild_id)
                if config is None or not config.is_complete:
                    continue
                today = now.astimezone(ZoneInfo(config.timezone or "UTC")).date()
                stage = stage_due(cohort.ends_on, today)
                if stage is None:
                    continue
                queued = await self.bot.outbox.enqueue(
                    ENDING,
                    cohort.id,
                    guild_id=cohort.guild_id,
                    key=f"{ENDING}:{cohort.id}:{cohort.ends_on.isoformat()}:{stage}",
                    payload={"stage": stage, "ends_on": cohort.ends_on.isoformat()},
                )
                new += queued is not None
        except DatabaseClosedError:
            return new  # shutting down; the next start runs it again
        if new:
            log.info("cohort end asks queued", extra={"count": new})
        return new

    async def deliver(self, item: Item) -> Landed | None:
        guild = self.bot.get_guild(item.guild_id or 0)
        cohort = await self.store.get(item.guild_id or 0, item.subject_id)
        if (
            guild is None
            or cohort is None
            or cohort.status != CohortStatus.ACTIVE
            or cohort.ends_on.isoformat() != item.payload.get("ends_on")
        ):
            return None  # archived, deleted or extended meanwhile: nothing to ask
        config = await self.bot.guild_configs.get(guild.id)
        team_channel = guild.get_channel(cohort.team_channel_id or 0)
        channel, where = (
            (team_channel, "team")
            if isinstance(team_channel, discord.TextChannel)
            else (staff_channel(guild, config, "log"), "log")
        )
        if channel is None:
            raise Undeliverable("no channel to ask the care team in")
        users, roles = await self._team(guild, cohort, config)
        zone = ZoneInfo(config.timezone if config and config.timezone else "UTC")
        today = self.bot.clock.now().astimezone(zone).date()
        title, body = ask_text(cohort, str(item.payload.get("stage")), today)
        people = await self.store.members(cohort.id)
        active = sum(e.status == EnrollmentStatus.ACTIVE for e in people)
        embed = discord.Embed(title=title[:256], description=body, colour=discord.Colour.gold())
        embed.add_field(name="Enrolled", value=f"{active} in · {len(people) - active} awaiting")
        mentions, allowed = team_mentions(guild, [u.id for u in users], [r.id for r in roles])
        sent = await channel.send(
            mentions or None,
            embed=embed,
            view=ending_view(cohort.id),
            allowed_mentions=allowed,
            nonce=item.nonce(),
        )
        return Landed(where, channel.id, sent.id)

    async def _team(
        self, guild: discord.Guild, cohort: Cohort, config: GuildConfig | None
    ) -> tuple[list[discord.Object], list[discord.Role]]:
        """Who to ping: the cohort's care team, else program staff (the facilitator role)."""
        seats = await self.teams.seats(cohort.id)
        users = [discord.Object(s.user_id) for s in seats if s.user_id is not None]
        roles = [r for s in seats if (r := guild.get_role(s.role_id or 0)) is not None]
        if not users and not roles:
            staff = guild.get_role(config.facilitator_role_id or 0) if config else None
            roles = [staff] if staff is not None else []
        return users, roles
