"""Daily check-ins: DM prompts on a schedule, /checkin now, progress, digests, PHQ-9/GAD-7."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.checkins.cog import Checkins


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(Checkins(bot))
