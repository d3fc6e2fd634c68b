"""Cohorts: private group spaces with a consent gate, graduation, archive and repair."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.cohorts.cog import Cohorts


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(Cohorts(bot))
