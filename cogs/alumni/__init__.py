"""Alumni: the alumni space, graduation congratulations, recovery milestones and custom
anniversaries (two cogs, composed here)."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.alumni.cog import Alumni
from cogs.alumni.milestones_cog import Milestones


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(Alumni(bot))
    await bot.add_cog(Milestones(bot))
