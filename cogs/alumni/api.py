"""What other features may use of the alumni space.

Event: ``alumni_space_changed(guild_id)`` when a server's alumni space is set up or rebuilt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.cogs import loaded_cog

if TYPE_CHECKING:
    import discord

    from bot.storage.database import Database
    from cogs.cohorts.api import Cohort

__all__ = ["offer_congratulation", "space_channels"]


async def offer_congratulation(client: Any, member: discord.Member, cohort: Cohort) -> None:
    """Ask a new graduate (by DM, through the outbox) whether to celebrate them; nothing while
    the alumni feature is not loaded."""
    from cogs.alumni.cog import Alumni

    cog = loaded_cog(client, Alumni)
    if cog is not None:
        await cog.offer_congratulation(member.guild.id, member.id, cohort)


async def space_channels(db: Database) -> list[tuple[int, int]]:
    """(guild id, channel id) of every alumni space's text channels."""
    rows = await db.fetch_all(
        "SELECT guild_id, lounge_channel_id, milestones_channel_id, ask_channel_id "
        "FROM alumni_spaces"
    )
    return [(r[0], channel) for r in rows for channel in r[1:] if channel is not None]
