"""Scheduled prompts: claiming each occurrence, delivering it by DM, the one nudge, and
opting in (answering a prompt is answering.py).

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

from bot.errors import UserError
from bot.interactions import NO_PINGS
from bot.outbox import Item, Landed
from cogs.checkins import schedule
from cogs.checkins.membership import Standing, standing
from cogs.checkins.models import Prompt, Settings
from cogs.checkins.nudge_store import NudgeStore
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.views import prompt_embed, prompt_view
from cogs.cohorts.api import Membership

if TYPE_CHECKING:
    from bot.client import LanternBot
    from cogs.checkins.assess import AssessmentService

log = logging.getLogger(__name__)

LATE_GRACE = timedelta(hours=1)
"""A prompt missed while the bot was down is sent late only within this window."""
NUDGE_AFTER = timedelta(hours=3)
CLAIMS_AT_ONCE = 8
NUDGE_GRACE_SECONDS = 3600
DEFAULT_TIME = schedule.parse_time("09:00")

PROMPT = "checkin_prompt"


def prompt_job(settings_id: int) -> str:
    return f"checkins:prompt:{settings_id}"


def nudge_job(prompt_id: int) -> str:
    return f"checkins:nudge:{prompt_id}"


class PromptService:
    def __init__(
        self,
        bot: LanternBot,
        store: PromptStore,
        cohorts: Membership,
        assessments: AssessmentService,
    ) -> None:
        self.bot = bot
        self.store = store
        self.nudges = NudgeStore(store.db, store.cipher)
        self.cohorts = cohorts
        self.assessments = assessments
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
        # (suspend, outage) never silently ends someone's schedule. Two instances: re-armed
        # from inside its own run after such a pause, the next prompt may already be due, and
        # APScheduler would drop it as "still running"; the claim keeps it to one prompt.
        self.bot.scheduler.at(
            prompt_job(settings.id), when, self.fire, settings.id, when, grace_seconds=None,
            max_instances=2,
        )  # fmt: skip
        return when

    async def rebuild(self) -> None:
        """At start-up (and when this process's shards change): one job per enabled
        schedule of the servers this process serves, plus the nudges still to come."""
        owns = self.bot.owns_guild
        for settings in await self.store.enabled_settings():
            if owns(settings.guild_id):
                self.schedule(settings)
        now = self.bot.clock.now()
        grace = timedelta(seconds=NUDGE_GRACE_SECONDS)
        for prompt in await self.nudges.pending_nudges():
            if owns(prompt.guild_id) and prompt.nudge_at and now - prompt.nudge_at < grace:
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
        if not self.bot.owns_guild(settings.guild_id):
            return None  # its server moved to another process, which armed its own job
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
        weekly = await self.assessments.due(prompt.guild_id, prompt.user_id)
        view = prompt_view(prompt, weekly_due=weekly is not None)
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

    async def snooze(self, prompt: Prompt, choice: str) -> datetime:
        """ "Remind me in 1 hour / tonight": the prompt's reminder, at that time (restart-safe:
        the time is in the database and `rebuild` arms it again)."""
        settings = await self.store.settings_by_id(prompt.settings_id or 0)
        now = self.bot.clock.now()
        until = schedule.snooze_until(choice, now, settings.timezone if settings else "UTC")
        if settings is not None:
            upcoming = schedule.next_occurrence(settings.rule, prompt.due_at)
            if until >= upcoming - timedelta(hours=1):
                raise UserError("Your next check-in comes before then; it will ask you again. 💛")
        if not await self.nudges.snooze(prompt.id, until):
            raise UserError("This check-in is already closed.")
        self._schedule_nudge(prompt.id, until)
        log.info("check-in snoozed", extra={"prompt_id": prompt.id, "choice": choice})
        return until

    def _schedule_nudge(self, prompt_id: int, when: datetime) -> None:
        self.bot.scheduler.at(
            nudge_job(prompt_id), when, self.nudge, prompt_id, grace_seconds=NUDGE_GRACE_SECONDS
        )

    async def nudge(self, prompt_id: int) -> None:
        """At most one gentle reminder, only if the prompt is still open."""
        if not await self.nudges.mark_nudged(prompt_id, self.bot.clock.now()):
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


def _eligible(settings: Settings, where: Standing) -> bool:
    if where.status == "active":
        return True
    return where.status == "alumni" and settings.cadence == "weekly"
