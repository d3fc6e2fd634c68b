"""The facilitators' daily digest: one embed per active cohort in the moderation log (program
staff), and each cohort's own in its care team's channel when it has one.

Posted at a per-server local time (default 08:00 in the program's timezone) about the day
before. The day is claimed in the database before posting, so a restart never posts a
digest twice; one missed while the bot was down is posted late only within the grace window.

A cohort's digest reads only what its rules look at: each person's last few check-ins up to
the day, the first and latest scores per questionnaire, their schedule and the sessions
missed in the last week, a few statements per cohort whatever the length of the history.
Notes are not read at all.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import discord

from bot.staff import post_log
from cogs.checkins import logic, schedule
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.record_store import RecordStore
from cogs.cohorts.api import Cohort, EnrollmentStatus, Membership, post_to_team
from cogs.sessions.api import missed_sessions_by_person

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

DEFAULT_DIGEST_TIME = time(8, 0)
DIGEST_GRACE = timedelta(hours=1)


def digest_job(guild_id: int) -> str:
    return f"checkins:digest:{guild_id}"


class DigestService:
    def __init__(
        self, bot: LanternBot, store: PromptStore, records: RecordStore, cohorts: Membership
    ) -> None:
        self.bot, self.store, self.records, self.cohorts = bot, store, records, cohorts

    async def ensure(self, guild_id: int, *, after: datetime | None = None) -> datetime | None:
        """(Re)place the server's digest job; None when the server has no timezone yet.
        `after`: the run that is finishing, so the next job is never the same instant (a
        job re-added while its own run is still going would be skipped by APScheduler)."""
        config = await self.bot.guild_configs.get(guild_id)
        if config is None or not config.timezone:
            return None
        saved = await self.store.digest(guild_id)
        local_time, last_day = saved if saved else (DEFAULT_DIGEST_TIME, None)
        rule = schedule.Rule(local_time, config.timezone)
        floor = self.bot.clock.now() - DIGEST_GRACE
        when = schedule.next_occurrence(rule, max(floor, after) if after else floor)
        if last_day is not None and schedule.local_day(when, config.timezone) <= last_day:
            when = schedule.next_occurrence(rule, when)
        # Two instances: re-armed from inside a late run, the next digest may already be due
        # (a stall of a day); with one, APScheduler would drop it as "still running". The
        # day's claim in the database keeps it to one post.
        self.bot.scheduler.at(
            digest_job(guild_id), when, self.run, guild_id, when, grace_seconds=None,
            max_instances=2,
        )  # fmt: skip
        return when

    async def run(self, guild_id: int, due: datetime) -> None:
        """The job: post the digest for the day before `due` (local), once."""
        try:
            config = await self.bot.guild_configs.get(guild_id)
            guild = self.bot.get_guild(guild_id)
            if config is None or not config.timezone or guild is None:
                return
            if self.bot.clock.now() - due > DIGEST_GRACE:
                log.info("digest too late to post", extra={"guild_id": guild_id})
                return
            today = schedule.local_day(due, config.timezone)
            saved = await self.store.digest(guild_id)
            default = saved[0] if saved else DEFAULT_DIGEST_TIME
            if not await self.store.claim_digest_day(
                guild_id, today, default, self.bot.clock.now()
            ):
                return
            for cohort in await self.cohorts.list(guild_id, include_archived=False):
                embed = await self.build(guild, cohort, today - timedelta(days=1), config.timezone)
                await post_log(self.bot.outbox, guild, config, embed=embed)
                if cohort.team_channel_id:  # the care team reads its cohort's section
                    await post_to_team(self.bot.outbox, guild.id, cohort.id, embed=embed)
            log.info("digest posted", extra={"guild_id": guild_id})
        finally:
            await self.ensure(guild_id, after=due)

    async def build(
        self, guild: discord.Guild, cohort: Cohort, day: date, timezone: str
    ) -> discord.Embed:
        people = [
            e for e in await self.cohorts.members(cohort.id) if e.status == EnrollmentStatus.ACTIVE
        ]
        ids = [e.user_id for e in people]
        entries = await self.records.recent_entries(guild.id, ids, day)
        scores = await self.records.score_trends(guild.id, ids)
        settings = await self.store.people_settings(guild.id, ids)
        week_ago = self.bot.clock.now() - timedelta(days=7)
        missed = await missed_sessions_by_person(self.bot.db, guild.id, ids, week_ago)
        checked_in, flagged = [], []
        for enrollment in people:
            uid = enrollment.user_id
            mine = settings.get(uid)
            asked = bool(mine and mine.enabled)
            joined = enrollment.consented_at or enrollment.enrolled_at
            person = logic.digest_person(
                uid,
                entries.get(uid, []),
                day,
                since=schedule.local_day(joined, timezone),
                asked=asked,
                band_rises=logic.band_rises(scores.get(uid, []), day, timezone),
                dms_closed=asked and mine is not None and mine.dm_closed_at is not None,
            )
            if person.checked_in:
                checked_in.append(f"<@{uid}>")
            reasons = logic.needs_attention(person)
            if missed.get(uid):
                reasons = [*reasons, f"missed {missed[uid]} session(s) in the last 7 days"]
            if reasons:
                member = guild.get_member(uid)
                name = member.name if member else str(uid)
                flagged.append(
                    f"• <@{uid}>: {', '.join(reasons)} · `/checkin history member:{name}`"
                )
        lines = [f"**Checked in:** {len(checked_in)} of {len(people)}"]
        if checked_in:
            lines.append(", ".join(checked_in))
        lines.append("")
        if flagged:
            lines.append("**Worth a look**")
            lines.extend(flagged)
        else:
            lines.append("Nothing stood out. 🌱")
        description = "\n".join(lines)
        if len(description) > 4000:
            description = description[:3990] + "\n…"
        embed = discord.Embed(
            title=f"Check-ins · {cohort.name} · {day:%a %b %d}",
            description=description,
            colour=discord.Colour.from_rgb(244, 180, 76),
        )
        embed.set_footer(text="Answers and notes: /checkin history member")
        return embed
