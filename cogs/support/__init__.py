"""Support between sessions: safety plans (plan.py), coping tools (ground.py) and private
conversations with facilitators (talk.py), with staffed hours (hours.py); the SQL is in the
*_store.py modules. Other features use it through api.py. See docs/support.md."""

from __future__ import annotations

from bot.client import LanternBot


async def setup(bot: LanternBot) -> None:
    from cogs.support.ground import GroundCog
    from cogs.support.plan import PlanCog
    from cogs.support.talk import TalkCog

    await bot.add_cog(PlanCog(bot))
    await bot.add_cog(GroundCog(bot))
    await bot.add_cog(TalkCog(bot))
