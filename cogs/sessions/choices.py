"""Option choices and autocompletes of the sessions commands: cohorts, upcoming and past
sessions, series (sessions and series only for facilitators, and only of the cohorts they
reach: program staff see every cohort's, a care team its own cohorts')."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import discord
from discord import app_commands

from cogs.cohorts.api import Reach, cohort_choices
from cogs.sessions import planning, texts
from cogs.sessions.context import SessionsContext
from cogs.sessions.records import Session, session_name
from cogs.sessions.recurrence import KINDS, describe_weekdays, format_clock, format_when

Scope = Literal["this", "following"]
KIND_CHOICES = [app_commands.Choice(name=texts.KIND_LABELS[k], value=k) for k in KINDS]

Choices = list[app_commands.Choice[str]]


async def cohort_names(
    ctx: SessionsContext, interaction: discord.Interaction, current: str
) -> Choices:
    """Cohorts by name (everyone may type one: `/schedule` takes a cohort too)."""
    return await cohort_choices(ctx.cohorts, interaction, current)


async def upcoming(ctx: SessionsContext, interaction: discord.Interaction, current: str) -> Choices:
    """Upcoming sessions of the server."""
    reach = await ctx.reach(interaction)
    if interaction.guild is None or not reach.any:
        return []
    now = ctx.now()
    sessions = await ctx.store.sessions_of_guild(interaction.guild.id, now, now + planning.HORIZON)
    return await _sessions(ctx, interaction.guild.id, sessions, current, reach)


async def past(ctx: SessionsContext, interaction: discord.Interaction, current: str) -> Choices:
    """Sessions of the last two weeks, latest first."""
    reach = await ctx.reach(interaction)
    if interaction.guild is None or not reach.any:
        return []
    now = ctx.now()
    sessions = await ctx.store.sessions_of_guild(
        interaction.guild.id, now - timedelta(days=14), now
    )
    return await _sessions(ctx, interaction.guild.id, list(reversed(sessions)), current, reach)


async def series(ctx: SessionsContext, interaction: discord.Interaction, current: str) -> Choices:
    reach = await ctx.reach(interaction)
    if interaction.guild is None or not reach.any:
        return []
    names = {c.id: c.name for c in await ctx.cohorts.list(interaction.guild.id)}
    typed = current.strip().lower()
    choices = []
    for s in await ctx.store.series_of_guild(interaction.guild.id):
        if not reach.covers(s.cohort_id):
            continue
        label = f"{names.get(s.cohort_id, '?')} · {s.title} · {describe_weekdays(s.weekdays)} "
        label += format_clock(s.start_time)
        if typed in label.lower():
            choices.append(app_commands.Choice(name=label[:100], value=str(s.id)))
    return choices[:25]


async def _sessions(
    ctx: SessionsContext, guild_id: int, sessions: list[Session], current: str, reach: Reach
) -> Choices:
    names = {c.id: c.name for c in await ctx.cohorts.list(guild_id)}
    typed = current.strip().lower()
    choices = []
    for s in sessions:
        if s.cancelled or not reach.covers(s.cohort_id):
            continue
        label = f"{names.get(s.cohort_id, '?')} · {session_name(s)} · "
        label += format_when(s.starts_at, s.timezone)
        if typed in label.lower() or typed == str(s.id):
            choices.append(app_commands.Choice(name=label[:100], value=str(s.id)))
    return choices[:25]
