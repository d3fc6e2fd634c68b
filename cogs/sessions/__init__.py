"""Sessions: the schedule of each cohort, reminders with RSVPs, attendance, calendar files
and Discord events (docs/sessions.md)."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.sessions.attendance import AttendanceCommand
from cogs.sessions.cog import Sessions
from cogs.sessions.context import SessionsContext
from cogs.sessions.schedule import ScheduleCommand
from cogs.sessions.session_commands import SessionCommands


async def setup(bot: LanternBot) -> None:
    ctx = SessionsContext(bot)
    await bot.add_cog(Sessions(ctx))  # start-up, listeners and the persistent controls
    await bot.add_cog(SessionCommands(ctx))
    await bot.add_cog(AttendanceCommand(ctx))
    await bot.add_cog(ScheduleCommand(ctx))
