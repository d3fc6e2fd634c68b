"""Wires alumni outreach into the bot: its store, the last-message tracker, the daily run and
weekly list (one hourly job), the DM kind and its buttons. The cog composes one of these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apscheduler.triggers.interval import IntervalTrigger

from bot.outbox import PERSON
from cogs.alumni.activity import LastMessages
from cogs.alumni.outreach import Outreach
from cogs.alumni.outreach_dm import OUTREACH, OutreachButton, OutreachDM
from cogs.alumni.outreach_store import OutreachStore
from cogs.alumni.store import AlumniStore
from cogs.alumni.views import WeeklyCheckinButton
from cogs.cohorts.api import Membership

if TYPE_CHECKING:
    from bot.client import LanternBot

RUN_JOB = "alumni:outreach"
FLUSH_JOB = "alumni:last_messages"
FLUSH_MINUTES = 5


class Aftercare:
    def __init__(self, bot: LanternBot, spaces: AlumniStore, members: Membership) -> None:
        self.bot = bot
        self.store = OutreachStore(bot.db)
        self.last_messages = LastMessages(bot, self.store)
        self.outreach = Outreach(bot, self.store, members)
        self.dm = OutreachDM(bot, self.store, spaces)

    async def load(self) -> None:
        self.bot.add_dynamic_items(OutreachButton, WeeklyCheckinButton)
        self.bot.outbox.register(OUTREACH, self.dm.deliver, PERSON)
        # Hourly: each server's run and list happen once (claimed in the database) when due.
        self.bot.scheduler.add(
            RUN_JOB, IntervalTrigger(hours=1), self.outreach.run_due, grace_seconds=3600
        )
        self.bot.scheduler.add(
            FLUSH_JOB, IntervalTrigger(minutes=FLUSH_MINUTES), self.last_messages.flush
        )
        self.bot.before_close.append(self.last_messages.flush)

    async def unload(self) -> None:
        self.bot.remove_dynamic_items(OutreachButton, WeeklyCheckinButton)
        self.bot.outbox.unregister(OUTREACH)
        self.bot.scheduler.remove(RUN_JOB)
        self.bot.scheduler.remove(FLUSH_JOB)
        if self.last_messages.flush in self.bot.before_close:
            self.bot.before_close.remove(self.last_messages.flush)
        if not self.bot.db.closed:
            await self.last_messages.flush()
