"""Crisis detection and escalation (see cog.py), the detector (detector.py) and its rules."""

from __future__ import annotations

from bot.client import LanternBot


async def setup(bot: LanternBot) -> None:
    from cogs.crisis.cog import Crisis

    await bot.add_cog(Crisis(bot))
