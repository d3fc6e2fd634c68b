"""Server set-up: `/setup server`, `/setup show`, `/setup check`."""

from bot.client import LanternBot
from cogs.setup.cog import SetupCog


async def setup(bot: LanternBot) -> None:
    await bot.add_cog(SetupCog(bot))
