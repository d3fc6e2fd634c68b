"""What other features may use of the alumni space."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.cogs import loaded_cog

if TYPE_CHECKING:
    import discord

    from cogs.cohorts.store import Cohort

__all__ = ["offer_congratulation"]


async def offer_congratulation(client: Any, member: discord.Member, cohort: Cohort) -> None:
    """Ask a new graduate (by DM, through the outbox) whether to celebrate them; nothing while
    the alumni feature is not loaded."""
    from cogs.alumni.cog import Alumni

    cog = loaded_cog(client, Alumni)
    if cog is not None:
        await cog.offer_congratulation(member, cohort)
