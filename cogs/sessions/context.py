"""What the sessions cogs share: `Sessions` (start-up and listeners), `/session`,
`/schedule` and `/attendance` each get the same `SessionsContext` instead of inheriting one
base. It holds the stores, cohort membership, the planner, the reminder sender and the
event publisher, and looks up what a command names (a cohort, a session)."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.client import LanternBot
from bot.errors import UserError
from bot.inputs import snowflake
from cogs.cohorts.api import Cohort, Membership, Reach, find_cohort, reach_of
from cogs.sessions.attendance_store import AttendanceStore
from cogs.sessions.events import EventPublisher
from cogs.sessions.planning import Planner
from cogs.sessions.records import Session
from cogs.sessions.reminder_store import ReminderStore
from cogs.sessions.reminders import ReminderSender
from cogs.sessions.store import SessionStore


class SessionsContext:
    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.cohorts = Membership(bot.db)
        self.store = SessionStore(bot.db)
        self.reminders = ReminderStore(bot.db)
        self.attendance = AttendanceStore(bot.db, bot.cipher)
        self.planner = Planner(self.store, self.reminders)
        self.sender = ReminderSender(bot, self.store, self.reminders, self.cohorts)
        self.events = EventPublisher(bot, self.store, self.cohorts)

    def now(self) -> datetime:
        return self.bot.clock.now()

    async def cohort(self, guild: discord.Guild, name: str) -> Cohort:
        """The cohort a command's `cohort` option names (a private error if none)."""
        return await find_cohort(self.cohorts, guild, name)

    async def session(self, guild: discord.Guild, raw: str) -> Session:
        """The session a command's `session` option names, on this server."""
        found = await self.store.session(snowflake(raw, "session", what="a session"))
        if found is None or found.guild_id != guild.id:
            raise UserError(
                "`session`: I can't find that session. Pick one from the list as you type."
            )
        return found

    async def reach(self, interaction: discord.Interaction) -> Reach:
        """Whose sessions `interaction.user` may see in a list as they type (no refusal:
        an autocomplete just offers nothing)."""
        if not isinstance(interaction.user, discord.Member):
            return Reach(staff=False)
        config = await self.bot.guild_configs.get(interaction.guild_id or 0)
        return await reach_of(self.bot.db, interaction.user, config)

    async def after_change(self, guild_id: int) -> None:
        """After the schedule changed: the reminder job and the server's events follow."""
        await self.sender.rearm()
        await self.events.sync(guild_id)
