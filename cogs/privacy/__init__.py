"""Privacy: /mydata export and delete, leavers' grace period, retention purges."""

from __future__ import annotations

from bot.client import LanternBot
from cogs.privacy.cog import Privacy


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(Privacy(bot))
