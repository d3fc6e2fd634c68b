"""Moderation basics: message reports, timeouts, purge and history."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.moderation.cog import Moderation


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(Moderation(bot))
