"""Finding a cohort by the name a facilitator typed, and the autocomplete for it. Shared by
every feature with a `cohort` option, so they all answer the same way."""

from __future__ import annotations

from typing import Protocol

import discord
from discord import app_commands

from bot.errors import UserError
from cogs.cohorts.logic import CohortStatus
from cogs.cohorts.store import Cohort


class CohortNames(Protocol):
    """What a lookup reads: `CohortStore` inside cohorts, `api.Membership` elsewhere."""

    async def by_name(self, guild_id: int, name: str) -> Cohort | None: ...

    async def list(self, guild_id: int, *, include_archived: bool = True) -> list[Cohort]: ...


async def find_cohort(
    store: CohortNames, guild: discord.Guild, name: str, *, live: bool = False
) -> Cohort:
    """The cohort called `name`; with `live`, archived ones are refused too."""
    cohort = await store.by_name(guild.id, name.strip())
    if cohort is None:
        raise UserError(
            f"`cohort`: There's no cohort called `{discord.utils.escape_markdown(name)[:40]}`. "
            "Pick one from the list as you type, or see `/cohort list`."
        )
    if live and cohort.status != CohortStatus.ACTIVE:
        raise UserError(f"**{cohort.name}** is archived; it can't be changed anymore.")
    return cohort


async def cohort_choices(
    store: CohortNames,
    interaction: discord.Interaction,
    current: str,
    *,
    include_archived: bool = False,
) -> list[app_commands.Choice[str]]:
    if interaction.guild is None:
        return []
    typed = current.strip().lower()
    cohorts = await store.list(interaction.guild.id, include_archived=include_archived)
    label = (lambda c: f"{c.name} ({c.status})") if include_archived else (lambda c: c.name)
    return [
        app_commands.Choice(name=label(c)[:100], value=c.name)
        for c in cohorts
        if typed in c.name.lower()
    ][:25]
