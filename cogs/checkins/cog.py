"""`/checkin ...` and `/progress`: daily check-ins, their schedule, and what facilitators see."""

from __future__ import annotations

import functools
import logging
import zoneinfo
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import configured_guild, guild_of, require_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.inputs import timezone as timezone_name
from bot.interactions import send_private
from bot.outbox import PERSON
from bot.tasks import create_task
from cogs.checkins import progress as progress_view
from cogs.checkins import schedule
from cogs.checkins.answering import AnswerService
from cogs.checkins.assess import AssessmentButton, AssessmentService, NextButton
from cogs.checkins.digest import DigestService
from cogs.checkins.membership import not_in_a_cohort, standing
from cogs.checkins.models import Settings
from cogs.checkins.offer import OfferService, OptInButton
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.prompts import DEFAULT_TIME, PROMPT, PromptService
from cogs.checkins.record_store import RecordStore
from cogs.checkins.schedule import ScheduleError
from cogs.checkins.views import CheckinButton, CheckinSelect
from cogs.cohorts.api import (
    Cohort,
    Membership,
    cohort_choices,
    find_cohort,
    require_person_in_reach,
    require_reach,
)

log = logging.getLogger(__name__)

DYNAMIC_ITEMS = (CheckinButton, CheckinSelect, AssessmentButton, NextButton, OptInButton)


@functools.cache
def _zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class Checkins(commands.Cog):
    checkin = app_commands.Group(
        name="checkin",
        description="Daily check-ins: your prompt, and what you shared",
        guild_only=True,
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        # Schedules and prompts (`store`), saved check-ins and scores (`records`): each
        # service gets the store(s) it works on.
        self.store = PromptStore(bot.db, bot.cipher)
        self.records = RecordStore(bot.db, bot.cipher)
        self.cohorts = Membership(bot.db)
        self.assessments = AssessmentService(bot, self.records, self.cohorts)
        self.prompts = PromptService(bot, self.store, self.cohorts, self.assessments)
        self.answers = AnswerService(bot, self.store, self.records, self.cohorts, self.assessments)
        self.answers.snoozer = self.prompts
        self.digests = DigestService(bot, self.store, self.records, self.cohorts)
        self.offers = OfferService(bot, self.store, self.cohorts, self.prompts)
        self._resume: Any = None

    @commands.Cog.listener()
    async def on_lantern_shards_changed(self, added: set[int], removed: set[int]) -> None:
        """Servers moved to this process (a takeover): arm the prompts of those it now
        serves."""
        if added:
            await self.prompts.rebuild()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.assessments.load()
        self.bot.outbox.register(
            PROMPT, self.prompts.deliver, PERSON, on_give_up=self.prompts.gave_up
        )
        await self.prompts.rebuild()
        for guild_id in {c.guild_id for c in await self.cohorts.all_active()}:
            await self.digests.ensure(guild_id)
        # Claims from before the outbox existed are handed over once the bot is ready.
        self._resume = create_task(self._resume_when_ready(), name="checkins:resume")

    async def _resume_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.prompts.resume_queued()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.scheduler.remove_prefix("checkins:")
        if self._resume is not None:
            self._resume.cancel()
        self.bot.outbox.unregister(PROMPT)

    # --- the participant's side ------------------------------------------------------

    @checkin.command(name="settings", description="Whether and when I send you a check-in")
    @app_commands.describe(
        enabled="Get a check-in prompt by DM",
        time="Local time, e.g. 09:00 or 8:30 pm",
        timezone="Your timezone (default: the program's)",
        days="e.g. every day, weekdays, mon,wed,fri (alumni: one day)",
        nudge="One gentle reminder if you haven't answered after a few hours",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        enabled: bool | None = None,
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        nudge: bool | None = None,
    ) -> None:
        config = await configured_guild(interaction)
        guild = guild_of(interaction)
        user_id = interaction.user.id
        where = await standing(self.cohorts, guild.id, user_id)
        if not where.may_check_in:
            raise UserError(not_in_a_cohort(where))
        current = await self.store.settings(guild.id, user_id)
        if all(v is None for v in (enabled, time, timezone, days, nudge)):
            await send_private(interaction, _describe(current))
            return
        alumni = where.status == "alumni"
        try:
            local_time = schedule.parse_time(time) if time else None
            zone = timezone_name(timezone, "timezone") if timezone is not None else None
            chosen_days = schedule.parse_days(days) if days else None
        except ScheduleError as exc:
            raise UserError(str(exc)) from None
        base_days = current.days if current else schedule.EVERY_DAY
        if alumni:
            if chosen_days is not None and len(chosen_days) != 1:
                raise UserError(
                    "As an alum you can have one check-in a week: pick one day, e.g. `sun`."
                )
            if chosen_days is None and len(base_days) != 1:
                base_days = frozenset({6})  # Sunday, a gentle weekly default
        new_time = local_time or (current.local_time if current else DEFAULT_TIME)
        new_zone = zone or (current.timezone if current else config.timezone or "UTC")
        new_days = chosen_days or base_days
        turned_on = enabled if enabled is not None else (current.enabled if current else True)
        cadence = "weekly" if alumni else "daily"
        now = self.bot.clock.now()
        changed = current is None or (
            (current.local_time, current.timezone, current.days, current.enabled, current.cadence)
            != (new_time, new_zone, new_days, turned_on, cadence)
        )
        # A new rule starts with the next occurrence, not one that just passed.
        last_due = now if changed else (current.last_due_at if current else now)
        saved = await self.store.save_settings(
            guild_id=guild.id,
            user_id=user_id,
            enabled=turned_on,
            cadence=cadence,
            local_time=new_time,
            timezone=new_zone,
            days=new_days,
            nudge=nudge if nudge is not None else (current.nudge if current else False),
            last_due_at=last_due,
            now=now,
        )
        when = self.prompts.schedule(saved)
        await self.digests.ensure(guild.id)
        log.info("check-in settings saved", extra={"settings_id": saved.id})
        if not saved.enabled:
            await self.prompts.stop(guild.id, user_id, "opted out")
            text = (
                "Okay, no more prompts. You can still check in any time with `/checkin now`, "
                "and turn prompts back on here."
            )
        else:
            text = f"Done. I'll check in with you {saved.describe()}."
            if when is not None:
                text += f" Next one: <t:{int(when.timestamp())}:F>."
            if saved.nudge:
                text += " If you haven't answered after a few hours, I'll remind you once."
            if saved.dm_closed_at is not None:
                text += (
                    "\n⚠️ Last time I couldn't DM you. Allow direct messages from server members "
                    "(server name > Privacy Settings) so the prompts reach you."
                )
        await send_private(interaction, text)

    @settings.autocomplete("timezone")
    async def _timezone_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower().replace(" ", "_")
        return [app_commands.Choice(name=z, value=z) for z in _zones() if typed in z.lower()][:25]

    @checkin.command(name="now", description="Check in now (only you see it)")
    async def now(self, interaction: discord.Interaction) -> None:
        config = await configured_guild(interaction)
        await self.answers.start_now(interaction, config.timezone or "UTC")

    @checkin.command(
        name="questions", description="This week's short questionnaires, if your cohort uses them"
    )
    @app_commands.describe(which="Which questionnaire (default: the one due)")
    async def questions(
        self, interaction: discord.Interaction, which: Literal["phq9", "gad7"] | None = None
    ) -> None:
        await configured_guild(interaction)
        await self.assessments.start(interaction, guild_of(interaction).id, which)

    @app_commands.command(name="progress", description="Your check-in streak, averages and chart")
    @app_commands.describe(days="How far back to look (default 30)")
    @app_commands.guild_only()
    async def progress(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 7, 365] = 30
    ) -> None:
        config = await configured_guild(interaction)
        guild = guild_of(interaction)
        where = await standing(self.cohorts, guild.id, interaction.user.id)
        if where.status in ("none", "pending"):
            raise UserError(not_in_a_cohort(where))
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self._progress(
            guild.id, interaction.user.id, config.timezone or "UTC", days, "Your check-ins", False
        )
        await progress_view.send(interaction, result)

    # --- facilitators ----------------------------------------------------------------

    @checkin.command(name="history", description="A participant's check-ins (facilitators)")
    @app_commands.describe(member="Whose check-ins", days="How far back (default 30)")
    async def history(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        days: app_commands.Range[int, 7, 365] = 30,
    ) -> None:
        config, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        await require_person_in_reach(self.bot.db, reach, guild.id, member.id)
        where = await standing(self.cohorts, guild.id, member.id)
        if where.status == "none":
            raise UserError(
                f"{member.mention} has never been enrolled in a cohort here, so there are no "
                "check-ins to show."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        log.info(
            "check-in history viewed",
            extra={"guild_id": guild.id, "viewer_id": interaction.user.id, "user_id": member.id},
        )
        result = await self._progress(
            guild.id,
            member.id,
            config.timezone or "UTC",
            days,
            f"Check-ins · {member.display_name}",
            True,
        )
        await progress_view.send(interaction, result)
        from cogs.support.api import shared_plan_embed

        plan = await shared_plan_embed(self.bot, guild.id, member.id)
        if plan is not None:  # only while the person shares it with facilitators
            await interaction.followup.send(embed=plan, ephemeral=True)

    @checkin.command(name="digest", description="When the daily digest is posted (facilitators)")
    @app_commands.describe(time="Local time in the program's timezone, e.g. 08:00")
    async def digest(self, interaction: discord.Interaction, time: str) -> None:
        config = await require_facilitator(interaction)
        guild = guild_of(interaction)
        try:
            local_time = schedule.parse_time(time)
        except ScheduleError as exc:
            raise UserError(str(exc)) from None
        await self.store.save_digest_time(guild.id, local_time, self.bot.clock.now())
        when = await self.digests.ensure(guild.id)
        channel = f"<#{config.log_channel_id}>" if config.log_channel_id else "the moderation log"
        text = (
            f"The daily check-in digest will be posted in {channel} at "
            f"{schedule.format_time(local_time)} ({config.timezone})."
        )
        if when is not None:
            text += f" Next: <t:{int(when.timestamp())}:F>."
        await send_private(interaction, text)

    @checkin.command(
        name="assessments", description="Weekly PHQ-9 and GAD-7 for a cohort (facilitators)"
    )
    @app_commands.describe(cohort="The cohort", enabled="Offer the weekly questionnaires")
    async def assessments_cmd(
        self, interaction: discord.Interaction, cohort: str, enabled: bool
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        found = await self._cohort(guild, cohort)
        await self.assessments.set_enabled(found.id, enabled, interaction.user.id)
        log.info("assessments toggled", extra={"cohort_id": found.id, "enabled": enabled})
        text = (
            f"**{found.name}** will be offered the PHQ-9 and GAD-7 once a week with their "
            "check-in. A 'yes' to PHQ-9 question 9 always alerts the escalation channel."
            if enabled
            else f"**{found.name}** won't be offered the weekly questionnaires anymore."
        )
        await send_private(interaction, text)

    @assessments_cmd.autocomplete("cohort")
    async def _cohort_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await cohort_choices(self.cohorts, interaction, current)

    async def _cohort(self, guild: discord.Guild, name: str) -> Cohort:
        return await find_cohort(self.cohorts, guild, name)

    async def _progress(
        self, guild_id: int, user_id: int, timezone: str, days: int, title: str, staff: bool
    ) -> progress_view.Progress:
        return await progress_view.load(
            self.store,
            self.records,
            guild_id=guild_id,
            user_id=user_id,
            timezone=timezone,
            now=self.bot.clock.now(),
            days=days,
            title=title,
            for_facilitator=staff,
        )

    # --- enrolment and leaving -------------------------------------------------------

    @commands.Cog.listener()
    async def on_cohort_member_joined(self, member: discord.Member, cohort: Cohort) -> None:
        """Offer the daily check-in once someone has agreed to the group agreement."""
        if self.bot.is_closed():
            return
        # Shutdown waits for this (a half-sent offer would otherwise fail on a closed session).
        with self.bot.in_flight():
            await self._offer(member, cohort)

    async def _offer(self, member: discord.Member, cohort: Cohort) -> None:
        await self.digests.ensure(member.guild.id)
        await self.offers.send(member, cohort)

    @commands.Cog.listener()
    async def on_cohort_member_left(
        self, guild: discord.Guild, user_id: int, cohort: Cohort, reason: str
    ) -> None:
        """Removed or graduated: no more prompts (alumni can opt back in to a weekly one)."""
        if self.bot.is_closed():
            return
        with self.bot.in_flight():
            await self.prompts.stop(guild.id, user_id, reason)


def _describe(settings: Settings | None) -> str:
    if settings is None:
        return (
            "You're not getting check-in prompts. Turn them on with `/checkin settings "
            "enabled:True` (add `time:` and `days:` if you like). `/checkin now` works any time."
        )
    if not settings.enabled:
        return "Your prompts are off. Turn them back on with `/checkin settings enabled:True`."
    text = f"I check in with you {settings.describe()}."
    text += " One reminder if unanswered: " + ("on." if settings.nudge else "off.")
    return text
