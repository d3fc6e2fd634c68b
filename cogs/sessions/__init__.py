"""Sessions: the schedule of each cohort, reminders with RSVPs, attendance, calendar files
and Discord events (docs/sessions.md)."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.sessions.cog import Sessions


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(Sessions(bot))
