"""Crisis detection and escalation (see cog.py), the detector (detector.py) and its rules."""

from __future__ import annotations

from bot.client import LanternBot


async def setup(bot: LanternBot) -> None:
    from cogs.crisis.admin import CrisisAdmin
    from cogs.crisis.cog import Crisis

    crisis = Crisis(bot)
    await bot.add_cog(crisis)
    await bot.add_cog(CrisisAdmin(bot, crisis))
