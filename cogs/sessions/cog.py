"""`/session ...` (facilitators), `/schedule` (participants), `/attendance` and the RSVP,
attendance and calendar components. Discord I/O only: the rules live in recurrence.py and
logic.py, the SQL in store.py, reminder sending in reminders.py, events in events.py.

The commands are split by what they do: schedule editing in editing.py, reminders and RSVPs
in rsvp_commands.py, attendance in attendance.py, `/schedule` in my_schedule.py; the
`/session` group and the lookups they share are in lookups.py. This module assembles the cog
and keeps the scheduler and cohort listeners."""

from __future__ import annotations

import asyncio

import discord
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands

from bot.client import LanternBot
from bot.outbox import PERSON
from bot.storage.database import DatabaseClosedError
from cogs.cohorts.api import Cohort, Membership
from cogs.sessions import planning
from cogs.sessions.attendance import Attendance
from cogs.sessions.editing import ScheduleEditing
from cogs.sessions.events import EventPublisher
from cogs.sessions.lookups import KIND_CHOICES, Scope
from cogs.sessions.my_schedule import ParticipantSchedule
from cogs.sessions.reminders import REMINDER, ReminderSender, session_embed
from cogs.sessions.rsvp_commands import RemindersAndRsvps
from cogs.sessions.store import SessionStore
from cogs.sessions.views import DYNAMIC_ITEMS

PLAN_JOB = "sessions:plan:all"


# Base order keeps the commands registered as before: /session, /attendance, /schedule.
class Sessions(ScheduleEditing, RemindersAndRsvps, ParticipantSchedule, Attendance, commands.Cog):
    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = SessionStore(bot.db, bot.cipher)
        self.cohorts = Membership(bot.db)
        self.sender = ReminderSender(bot, self.store)
        self.events = EventPublisher(bot, self.store)

    # --- start-up: everything the scheduler needs comes from the database -------------------

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.outbox.register(
            REMINDER, self.sender.deliver, PERSON, on_give_up=self.sender.gave_up
        )
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
        await planning.extend(self.store, self.bot.clock.now())
        await self.sender.rearm()

    async def periodic(self) -> None:
        """Every 6 hours: occurrences for the weeks coming into view, their reminders, and
        the Discord events of the next week."""
        try:
            await self.rebuild()
            for guild_id in await self.store.guilds_with_sessions():
                await self.events.sync(guild_id)
        except (DatabaseClosedError, asyncio.CancelledError):
            if not self.bot.is_closed():
                raise
            # Shutting down mid-run: everything is rebuilt from the database at the next start.

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Events can only be published once guilds are known; sync is idempotent.
        try:
            for guild_id in await self.store.guilds_with_sessions():
                await self.events.sync(guild_id)
        except DatabaseClosedError:
            pass  # shut down before it finished; the periodic job catches up

    @commands.Cog.listener()
    async def on_cohort_member_joined(self, member: discord.Member, cohort: Cohort) -> None:
        await self._replan_person(cohort.id, member.id)

    @commands.Cog.listener()
    async def on_cohort_member_left(
        self, guild: discord.Guild, user_id: int, cohort: Cohort, reason: str
    ) -> None:
        await self._replan_person(cohort.id, user_id)

    async def _replan_person(self, cohort_id: int, user_id: int) -> None:
        """Their DM reminders follow their membership."""
        try:
            now = self.bot.clock.now()
            await planning.replan_cohorts(self.store, [cohort_id], now, user_id=user_id)
            await self.sender.rearm()
        except DatabaseClosedError:
            pass  # shutting down; the plan is rebuilt from the database at the next start


# for type checkers: session_embed is re-exported for the sandbox and tests
__all__ = ["KIND_CHOICES", "PLAN_JOB", "Scope", "Sessions", "session_embed"]
