"""Alumni: the alumni space, graduation congratulations and recovery milestones."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.alumni.cog import Alumni


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(Alumni(bot))
