"""What other features may use of cohorts (more moves here as issue 17 goes on)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.cogs import loaded_cog

if TYPE_CHECKING:
    from cogs.cohorts.store import Cohort

__all__ = ["owning_cohort"]


async def owning_cohort(client: Any, guild_id: int, object_id: int) -> Cohort | None:
    """The live cohort whose channel or role has this id; None when there is none (or while
    cohorts are not loaded)."""
    from cogs.cohorts.cog import Cohorts

    cog = loaded_cog(client, Cohorts)
    found = await cog.store.owning(guild_id, object_id) if cog is not None else None
    return found[0] if found is not None else None
