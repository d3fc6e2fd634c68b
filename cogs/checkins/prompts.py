"""Scheduled prompts and answering them: the part of check-ins that runs on its own.

The database is the source of truth. Each enabled schedule has one APScheduler job
(`checkins:prompt:<settings_id>`) at its next occurrence, rebuilt at start-up. When it fires,
the occurrence is claimed and handed to the outbox in one transaction (a unique index makes a
second claim impossible); the outbox sends it, paced under Discord's global limit and retried
through Discord errors; a prompt claimed but not yet sent when the bot stopped is still
'queued' and is sent after the restart if it is within the grace window.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.cogs import loaded_cog
from bot.errors import UserError
from bot.interactions import NO_PINGS, send_private
from bot.outbox import Item, Landed
from cogs.checkins import logic, schedule
from cogs.checkins.membership import Standing, standing
from cogs.checkins.store import CheckinStore, Prompt, Settings
from cogs.checkins.views import (
    NoteModal,
    answers_text,
    checkins,
    prompt_embed,
    prompt_view,
    replace_view,
)
from cogs.cohorts.api import Membership
from cogs.crisis import api as crisis_api

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

HARD_CRAVINGS = 7
LOW_MOOD = 2

LATE_GRACE = timedelta(hours=1)
"""A prompt missed while the bot was down is sent late only within this window."""
NUDGE_AFTER = timedelta(hours=3)
CLAIMS_AT_ONCE = 8
NUDGE_GRACE_SECONDS = 3600
CLOSED = {
    "answered": "You've already checked in with this one. Thank you! 💛",
    "expired": "This check-in has closed. You can check in any time with `/checkin now` "
    "in the server.",
    "discarded": "You kept your earlier check-in for this day.",
}


PROMPT = "checkin_prompt"


def prompt_job(settings_id: int) -> str:
    return f"checkins:prompt:{settings_id}"


def nudge_job(prompt_id: int) -> str:
    return f"checkins:nudge:{prompt_id}"


class PromptService:
    def __init__(self, bot: LanternBot, store: CheckinStore, cohorts: Membership) -> None:
        self.bot = bot
        self.store = store
        self.cohorts = cohorts
        self.pacer = bot.outbox.pacer
        self._claiming = asyncio.Semaphore(CLAIMS_AT_ONCE)

    # --- scheduling ------------------------------------------------------------------

    def schedule(self, settings: Settings) -> datetime | None:
        """(Re)place the person's job at their next occurrence; none when disabled."""
        if not settings.enabled:
            self.bot.scheduler.remove(prompt_job(settings.id))
            return None
        when = schedule.next_due(
            settings.rule,
            last_handled=settings.last_due_at,
            now=self.bot.clock.now(),
            grace=LATE_GRACE,
        )
        # No APScheduler grace: the job itself decides what is too late, so a long pause
        # (suspend, outage) never silently ends someone's schedule.
        self.bot.scheduler.at(
            prompt_job(settings.id), when, self.fire, settings.id, when, grace_seconds=None
        )
        return when

    async def rebuild(self) -> None:
        """At start-up: one job per enabled schedule, plus the nudges still to come."""
        for settings in await self.store.enabled_settings():
            self.schedule(settings)
        now = self.bot.clock.now()
        for prompt in await self.store.pending_nudges():
            if prompt.nudge_at and now - prompt.nudge_at < timedelta(seconds=NUDGE_GRACE_SECONDS):
                self._schedule_nudge(prompt.id, prompt.nudge_at)

    async def resume_queued(self) -> None:
        """Prompts claimed but never handed over (a claim from before the outbox existed):
        hand them over now; the outbox's own rows resume by themselves."""
        for prompt in await self.store.queued_prompts():
            await self.bot.outbox.enqueue(PROMPT, prompt.id, guild_id=prompt.guild_id)

    async def fire(self, settings_id: int, due_at: datetime) -> None:
        """The job: claim this occurrence, plan the next, hand the prompt to the outbox."""
        # Thousands of jobs fire in the same second; claiming a few at a time leaves the
        # database free for the deliveries, so the first prompts go out at once.
        async with self._claiming:
            await self._claim(settings_id, due_at)

    async def _claim(self, settings_id: int, due_at: datetime) -> int | None:
        settings = await self.store.settings_by_id(settings_id)
        if settings is None or not settings.enabled:
            return None
        if settings.last_due_at is not None and settings.last_due_at >= due_at:
            self.schedule(settings)  # a stale job (settings changed meanwhile)
            return None
        where = await standing(self.cohorts, settings.guild_id, settings.user_id)
        if not _eligible(settings, where):
            await self.stop(settings.guild_id, settings.user_id, "no longer enrolled")
            return None
        now = self.bot.clock.now()
        late = now - due_at > LATE_GRACE
        async with self.bot.db.transaction():
            prompt_id = await self.store.claim_occurrence(settings, due_at, late=late, now=now)
            if prompt_id is not None:
                await self.bot.outbox.enqueue(PROMPT, prompt_id, guild_id=settings.guild_id)
        if late:
            log.info("check-in prompt too late to send", extra={"settings_id": settings.id})
        latest = max(due_at, settings.last_due_at) if settings.last_due_at else due_at
        self.schedule(dataclasses.replace(settings, last_due_at=latest))
        return prompt_id

    async def stop(self, guild_id: int, user_id: int, reason: str) -> None:
        settings = await self.store.stop(guild_id, user_id, reason, self.bot.clock.now())
        if settings is not None:
            self.bot.scheduler.remove(prompt_job(settings.id))
            log.info("check-in prompts stopped", extra={"settings_id": settings.id})

    # --- delivery --------------------------------------------------------------------

    async def deliver(self, item: Item) -> Landed | None:
        """The outbox's handler: one queued prompt to one person's DMs. Discord errors that
        may heal are raised (the outbox retries); closed DMs are recorded, never retried."""
        found = await self.store.prompt_with_settings(item.subject_id)
        if found is None or found[0].status != "queued":
            return None
        prompt, settings = found
        now = self.bot.clock.now()
        if not settings.enabled:
            await self.store.set_status(prompt.id, "discarded")
            return None
        if now - prompt.due_at > LATE_GRACE:
            await self.store.set_status(prompt.id, "missed")
            return None
        guild = self.bot.get_guild(prompt.guild_id)
        embed = prompt_embed(prompt, guild.name if guild else "Lantern")
        view = prompt_view(prompt, weekly_due=await self.weekly_due(prompt))
        ids = {"prompt_id": prompt.id, "user_id": prompt.user_id}
        try:
            message = await self._send_dm(settings, embed, view, item.nonce())
        except discord.Forbidden:
            # Closed DMs: recorded for facilitators (digest, history), never retried.
            await self.store.set_status(prompt.id, "failed")
            await self.store.mark_dm_closed(prompt.guild_id, prompt.user_id, now)
            log.info("check-in prompt refused: DMs closed", extra=ids)
            return Landed("dms_closed")
        nudge_at = self._nudge_time(settings, prompt, now)
        await self.store.mark_sent(
            prompt,
            channel_id=message.channel.id,
            message_id=message.id,
            nudge_at=nudge_at,
            now=now,
            settings=settings,
        )
        if nudge_at is not None:
            self._schedule_nudge(prompt.id, nudge_at)
        log.debug("check-in prompt sent", extra=ids)
        return Landed("dm", message.channel.id, message.id)

    async def gave_up(self, item: Item) -> None:
        """The outbox stopped retrying (logged at ERROR there): facilitators see `failed`."""
        prompt = await self.store.prompt(item.subject_id)
        if prompt is not None and prompt.status == "queued":
            await self.store.set_status(prompt.id, "failed")

    async def _send_dm(
        self, settings: Settings, embed: discord.Embed, view: discord.ui.View, nonce: str
    ) -> discord.Message:
        channel: discord.abc.Messageable
        if settings.dm_channel_id is not None:
            channel = self.bot.get_partial_messageable(
                settings.dm_channel_id, type=discord.ChannelType.private
            )
        else:
            await self.pacer.wait()  # the outbox paced the send; opening the DM is a 2nd call
            channel = await self.bot.create_dm(discord.Object(settings.user_id))
        try:
            return await channel.send(
                embed=embed, view=view, allowed_mentions=NO_PINGS, nonce=nonce
            )
        except discord.NotFound:
            if settings.dm_channel_id is None:
                raise
            # The saved DM channel is gone: open a fresh one, once.
            await self.pacer.wait()
            fresh = await self.bot.create_dm(discord.Object(settings.user_id))
            await self.pacer.wait()
            return await fresh.send(embed=embed, view=view, allowed_mentions=NO_PINGS, nonce=nonce)

    def _nudge_time(self, settings: Settings, prompt: Prompt, now: datetime) -> datetime | None:
        if not settings.nudge:
            return None
        nudge_at = now + NUDGE_AFTER
        upcoming = schedule.next_occurrence(settings.rule, prompt.due_at)
        # Never nudge close to the next prompt: that one replaces this anyway.
        return nudge_at if nudge_at < upcoming - timedelta(hours=1) else None

    def _schedule_nudge(self, prompt_id: int, when: datetime) -> None:
        self.bot.scheduler.at(
            nudge_job(prompt_id), when, self.nudge, prompt_id, grace_seconds=NUDGE_GRACE_SECONDS
        )

    async def nudge(self, prompt_id: int) -> None:
        """At most one gentle reminder, only if the prompt is still open."""
        if not await self.store.mark_nudged(prompt_id, self.bot.clock.now()):
            return
        prompt = await self.store.prompt(prompt_id)
        if prompt is None or prompt.channel_id is None:
            return
        channel = self.bot.get_partial_messageable(
            prompt.channel_id, type=discord.ChannelType.private
        )
        try:
            await self.pacer.wait()
            await channel.send(
                "Just a gentle reminder: today's check-in is still open above, whenever "
                "you're ready. No pressure. 💛",
                reference=discord.MessageReference(
                    message_id=prompt.message_id or 0,
                    channel_id=prompt.channel_id,
                    fail_if_not_exists=False,
                ),
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException as exc:
            log.info("nudge not delivered", extra={"prompt_id": prompt_id, "status": exc.status})

    # --- weekly questionnaires -------------------------------------------------------

    async def weekly_due(self, prompt: Prompt) -> bool:
        from cogs.checkins.cog import Checkins

        cog = loaded_cog(self.bot, Checkins)
        if cog is None:
            return False
        return await cog.assessments.due(prompt.guild_id, prompt.user_id)

    # --- /checkin now ----------------------------------------------------------------

    async def start_now(self, interaction: discord.Interaction, timezone: str) -> None:
        guild_id = interaction.guild_id or 0
        user_id = interaction.user.id
        where = await standing(self.cohorts, guild_id, user_id)
        if not where.may_check_in:
            raise UserError(not_in_a_cohort(where))
        now = self.bot.clock.now()
        settings = await self.store.settings(guild_id, user_id)
        zone = settings.timezone if settings else timezone
        day = schedule.local_day(now, zone)
        prompt_id = await self.store.create_now_prompt(guild_id, user_id, day, now)
        prompt = await self._existing(prompt_id)
        guild = interaction.guild
        await send_private(
            interaction,
            embed=prompt_embed(prompt, guild.name if guild else "Lantern"),
            view=prompt_view(prompt, weekly_due=await self.weekly_due(prompt)),
        )

    # --- answering -------------------------------------------------------------------

    async def _existing(self, prompt_id: int) -> Prompt:
        prompt = await self.store.prompt(prompt_id)
        if prompt is None:
            raise UserError("This check-in no longer exists. `/checkin now` starts a new one.")
        return prompt

    async def _own_prompt(self, interaction: discord.Interaction, prompt_id: int) -> Prompt:
        prompt = await self.store.prompt(prompt_id)
        if prompt is None or prompt.user_id != interaction.user.id:
            raise UserError("This check-in belongs to someone else.")
        return prompt

    async def _closed(self, interaction: discord.Interaction, prompt: Prompt) -> bool:
        """Answer for a prompt that is no longer open; False if it is open."""
        if prompt.status == "sent":
            return False
        text = CLOSED.get(prompt.status, CLOSED["expired"])
        await interaction.response.edit_message(content=text, embed=None, view=None)
        return True

    async def _redraw(self, interaction: discord.Interaction, prompt_id: int) -> None:
        prompt = await self._existing(prompt_id)
        guild = self.bot.get_guild(prompt.guild_id)
        await interaction.response.edit_message(
            content=None,
            embed=prompt_embed(prompt, guild.name if guild else "Lantern"),
            view=prompt_view(prompt, weekly_due=await self.weekly_due(prompt)),
        )

    async def on_button(
        self, interaction: discord.Interaction, action: str, prompt_id: int, value: str | None
    ) -> None:
        prompt = await self._own_prompt(interaction, prompt_id)
        if action == "weekly":
            await checkins(self.bot).assessments.start(interaction, prompt.guild_id)
            return
        if await self._closed(interaction, prompt):
            return
        if action == "mood":
            if value not in {str(m) for m in logic.MOODS}:
                raise UserError("Pick a mood from 1 to 5.")
            await self.store.set_draft(prompt.id, "mood", int(value))
        elif action == "used":
            if value not in logic.USED:
                raise UserError("Pick one of the three answers.")
            await self.store.set_draft(prompt.id, "used", value)
        elif action == "share":
            await self.store.set_draft(prompt.id, "share", int(not prompt.share))
            if prompt.share:  # turning sharing off also un-ticks the note
                await self.store.set_draft(prompt.id, "share_note", 0)
        elif action == "sharenote":
            await self.store.set_draft(prompt.id, "share_note", int(not prompt.share_note))
        elif action == "note":
            await interaction.response.send_modal(NoteModal(self, prompt.id, prompt.answers.note))
            return
        elif action == "submit":
            await self._submit(interaction, prompt)
            return
        elif action == "replace":
            await interaction.response.defer()
            await self._save(interaction, prompt, replace=True)
            return
        elif action == "keep":
            await self.store.set_status(prompt.id, "discarded")
            await interaction.response.edit_message(
                content="Okay, I kept your earlier check-in for today.", embed=None, view=None
            )
            return
        await self._redraw(interaction, prompt.id)

    async def on_select(
        self, interaction: discord.Interaction, field: str, prompt_id: int, raw: str
    ) -> None:
        prompt = await self._own_prompt(interaction, prompt_id)
        if await self._closed(interaction, prompt):
            return
        allowed = logic.CRAVINGS if field == "cravings" else logic.SLEEP_CHOICES
        if not (raw.isascii() and raw.isdigit() and len(raw) < 4) or int(raw) not in allowed:
            raise UserError("Please pick one of the options in the list.")
        column = "cravings" if field == "cravings" else "sleep_hours"
        await self.store.set_draft(prompt.id, column, int(raw))
        await self._redraw(interaction, prompt.id)

    async def on_note(self, interaction: discord.Interaction, prompt_id: int, text: str) -> None:
        prompt = await self._own_prompt(interaction, prompt_id)
        if await self._closed(interaction, prompt):
            return
        note = text.strip()[: logic.MAX_NOTE] or None
        await self.store.set_draft(prompt.id, "note", note)
        if note is None:
            await self.store.set_draft(prompt.id, "share_note", 0)
        await self._redraw(interaction, prompt.id)

    async def _submit(self, interaction: discord.Interaction, prompt: Prompt) -> None:
        if not prompt.answers.complete_enough:
            raise UserError("Pick a mood first (the 1 to 5 buttons). Everything else is optional.")
        # Saving, sharing and screening can wait on Discord's rate limits: answer first.
        await interaction.response.defer()
        await self._save(interaction, prompt, replace=False)

    async def _save(
        self, interaction: discord.Interaction, prompt: Prompt, *, replace: bool
    ) -> None:
        fresh = await self._existing(prompt.id)
        if fresh.status != "sent":
            text = CLOSED.get(fresh.status, CLOSED["expired"])
            await interaction.edit_original_response(content=text, embed=None, view=None)
            return
        where = await standing(self.cohorts, fresh.guild_id, fresh.user_id)
        now = self.bot.clock.now()
        saved = await self.store.submit(fresh, cohort_id=where.cohort_id, replace=replace, now=now)
        if not replace:
            # Screened as submitted, before any keep/replace question: a worrying note is seen
            # whatever they tap then, or if they never answer ("Replace" doesn't screen again).
            await self._screen(fresh)
        if not saved:
            earlier = await self.store.checkin_on(fresh.guild_id, fresh.user_id, fresh.local_day)
            summary = answers_text(logic.Answers(earlier.mood)) if earlier else ""
            await interaction.edit_original_response(
                content=f"You've already checked in for {fresh.local_day:%A} ({summary}). "
                "Only one check-in a day counts: replace it with this one?",
                view=replace_view(fresh.id),
            )
            return
        log.info("checked in", extra={"prompt_id": fresh.id, "user_id": fresh.user_id})
        shared = await self._share(fresh, where) if fresh.share else None
        if shared is False:
            await self.store.set_shared(fresh.guild_id, fresh.user_id, fresh.local_day, False)
        days = await self.store.all_checkin_days(fresh.guild_id, fresh.user_id)
        run = logic.streak(days, fresh.local_day)
        text = "Thanks for checking in 💛 " + answers_text(fresh.answers) + "."
        if run > 1:
            text += f"\nThat's {run} days in a row."
        if shared is True:
            text += "\nYour summary is in your cohort's check-ins channel."
        elif shared is False:
            text += "\nI couldn't post your summary to your cohort just now; it's saved here."
        view = None
        a = fresh.answers
        if (a.cravings or 0) >= HARD_CRAVINGS or (a.mood or 5) <= LOW_MOOD:
            # A hard day: offer a coping exercise right here (the support feature's buttons).
            from cogs.support.api import coping_buttons

            view = discord.ui.View(timeout=None)
            for item in coping_buttons(self.bot, ("box", "urge") if a.cravings else ("box",)):
                view.add_item(item)
            text += "\nA rough day? A two-minute exercise can take the edge off:"
        await interaction.edit_original_response(content=text, embed=None, view=view)

    async def _share(self, prompt: Prompt, where: Standing) -> bool:
        """Post the summary the person chose to share (the note only if they ticked it)."""
        cohort = (
            await self.cohorts.get(prompt.guild_id, where.cohort_id) if where.cohort_id else None
        )
        channel = self.bot.get_channel(cohort.checkins_channel_id or 0) if cohort else None
        if not isinstance(channel, discord.TextChannel):
            return False
        text = f"<@{prompt.user_id}> checked in: {answers_text(prompt.answers)}."
        if prompt.share_note and prompt.answers.note:
            quoted = "\n".join(f"> {line}" for line in prompt.answers.note.splitlines())
            text += "\n" + quoted
        try:
            await channel.send(text[:2000], allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning(
                "check-in summary not shared",
                extra={"prompt_id": prompt.id, "status": exc.status},
            )
            return False
        return True

    async def _screen(self, prompt: Prompt) -> None:
        """Notes and risky answers go through the crisis pipeline (when it is loaded)."""
        level = logic.risk_level(prompt.answers)
        note = prompt.answers.note or ""
        if not note and level is None:
            return
        reason = "daily check-in: reported use with high cravings" if level else None
        await screen_with_crisis(self.bot, prompt.guild_id, prompt.user_id, note, level, reason)

    # --- opting in on enrolment ------------------------------------------------------

    async def opt_in(self, guild_id: int, user_id: int, timezone: str) -> Settings:
        now = self.bot.clock.now()
        settings = await self.store.save_settings(
            guild_id=guild_id,
            user_id=user_id,
            enabled=True,
            cadence="daily",
            local_time=DEFAULT_TIME,
            timezone=timezone,
            days=schedule.EVERY_DAY,
            nudge=False,
            last_due_at=now,
            now=now,
        )
        self.schedule(settings)
        return settings


DEFAULT_TIME = schedule.parse_time("09:00")


def _eligible(settings: Settings, where: Standing) -> bool:
    if where.status == "active":
        return True
    return where.status == "alumni" and settings.cadence == "weekly"


def not_in_a_cohort(where: Standing) -> str:
    if where.status == "pending":
        return "Check-ins start once you've agreed to your cohort's group agreement (see your DMs)."
    return "Check-ins are for people in a cohort. A facilitator can enrol you."


async def screen_with_crisis(
    bot: LanternBot,
    guild_id: int,
    user_id: int,
    text: str,
    force_level: str | None,
    reason: str | None = None,
) -> None:
    """Hand text (or risky answers, with `reason` saying which) to crisis support; skipped
    when it isn't loaded."""
    if not crisis_api.available(bot):
        log.debug("crisis cog not loaded; check-in not screened", extra={"user_id": user_id})
        return
    guild = bot.get_guild(guild_id)
    if guild is None:
        return
    member = guild.get_member(user_id)
    if member is None:
        try:
            member = await guild.fetch_member(user_id)
        except discord.HTTPException:
            return
    await crisis_api.screen(
        bot, member, text, source="checkin", jump_url=None, force_level=force_level, reason=reason
    )
