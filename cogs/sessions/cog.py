"""`Sessions`: the feature's start-up and listeners, in one place. Everything the scheduler
needs comes from the database: at start-up it extends occurrences to the horizon and arms
the one reminder job; every 6 hours it does so again and syncs the Discord events; a member
joining or leaving re-plans their DM reminders.

The commands are three cogs sharing this cog's `SessionsContext` (context.py):
`/session` (session_commands.py), `/attendance` (attendance.py) and `/schedule`
(schedule.py); the rules live in recurrence.py and logic.py, the SQL in the stores, reminder
sending in reminders.py, events in events.py."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date

import discord
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands

from bot.outbox import PERSON
from bot.storage.database import DatabaseClosedError
from cogs.cohorts.api import Cohort
from cogs.sessions.attendance import AttendancePageButton, AttendanceSelect
from cogs.sessions.context import SessionsContext
from cogs.sessions.reminders import REMINDER
from cogs.sessions.rsvp import RsvpButton
from cogs.sessions.schedule import CalendarButton

PLAN_JOB = "sessions:plan:all"
DYNAMIC_ITEMS = (RsvpButton, AttendanceSelect, AttendancePageButton, CalendarButton)


class Sessions(commands.Cog):
    def __init__(self, ctx: SessionsContext) -> None:
        self.ctx = ctx
        self.bot = ctx.bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        sender = self.ctx.sender
        self.bot.outbox.register(REMINDER, sender.deliver, PERSON, on_give_up=sender.gave_up)
        await self.rebuild()
        self.bot.scheduler.add(
            PLAN_JOB, IntervalTrigger(hours=6), self.periodic, grace_seconds=3600
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.outbox.unregister(REMINDER)
        self.bot.scheduler.remove(PLAN_JOB)
        self.bot.scheduler.remove_prefix("sessions:")

    async def rebuild(self) -> None:
        """Extend occurrences to the horizon and arm the one reminder job."""
        await self.ctx.planner.extend(self.ctx.now())
        await self.ctx.sender.rearm()

    async def periodic(self) -> None:
        """Every 6 hours: occurrences for the weeks coming into view, their reminders, and
        the Discord events of the next week."""
        try:
            await self.rebuild()
            await self._sync_events()
        except (DatabaseClosedError, asyncio.CancelledError):
            if not self.bot.is_closed():
                raise
            # Shutting down mid-run: everything is rebuilt from the database at the next start.

    async def _sync_events(self) -> None:
        for guild_id in await self.ctx.store.guilds_with_sessions():
            await self.ctx.events.sync(guild_id)

    @commands.Cog.listener()
    async def on_lantern_shards_changed(self, added: set[int], removed: set[int]) -> None:
        """Servers taken over from a process that stopped: their reminders and events."""
        if added:
            with contextlib.suppress(DatabaseClosedError):
                await self.rebuild()
                await self._sync_events()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Events can only be published once guilds are known; sync is idempotent. Shut down
        # before it finished: the periodic job catches up.
        with contextlib.suppress(DatabaseClosedError):
            await self._sync_events()

    @commands.Cog.listener()
    async def on_cohort_member_joined(self, member: discord.Member, cohort: Cohort) -> None:
        await self._replan_person(cohort.id, member.id)

    @commands.Cog.listener()
    async def on_cohort_member_left(
        self, guild: discord.Guild, user_id: int, cohort: Cohort, reason: str
    ) -> None:
        await self._replan_person(cohort.id, user_id)

    @commands.Cog.listener()
    async def on_cohort_extended(
        self, guild_id: int, cohort_id: int, old_end: date, new_end: date
    ) -> None:
        try:
            async with self.bot.db.transaction() as tx:
                carried = await self.ctx.store.carry_on(tx, cohort_id, old_end, new_end)
            if carried:
                await self.rebuild()
                await self.ctx.events.sync(guild_id)
        except DatabaseClosedError:
            pass  # shutting down; the next start plans from the database

    async def _replan_person(self, cohort_id: int, user_id: int) -> None:
        """Their DM reminders follow their membership."""
        try:
            await self.ctx.planner.replan_cohorts([cohort_id], self.ctx.now(), user_id=user_id)
            await self.ctx.sender.rearm()
        except DatabaseClosedError:
            pass  # shutting down; the plan is rebuilt from the database at the next start
