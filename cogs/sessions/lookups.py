"""What every part of the Sessions cog shares: the `/session` group, option choices, and
looking up cohorts, sessions and series (also as autocompletes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import discord
from discord import app_commands

from bot.checks import member_is_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.inputs import snowflake
from cogs.cohorts.api import Cohort, Membership, cohort_choices, find_cohort
from cogs.sessions import planning, texts
from cogs.sessions.events import EventPublisher
from cogs.sessions.recurrence import (
    KINDS,
    RecurrenceError,
    describe_weekdays,
    format_clock,
    format_when,
)
from cogs.sessions.reminders import ReminderSender, session_name
from cogs.sessions.store import Session, SessionStore

Scope = Literal["this", "following"]
KIND_CHOICES = [app_commands.Choice(name=texts.KIND_LABELS[k], value=k) for k in KINDS]

session_group = app_commands.Group(
    name="session", description="Session schedule and reminders (facilitators)", guild_only=True
)


def _user_error(exc: RecurrenceError) -> UserError:
    return UserError(str(exc))


class SessionLookups:
    """Base of the Sessions cog's parts; `Sessions` sets the attributes in its `__init__`."""

    session = session_group

    bot: LanternBot
    store: SessionStore
    cohorts: Membership
    sender: ReminderSender
    events: EventPublisher

    # --- lookups ---------------------------------------------------------------------------

    async def _cohort(self, guild: discord.Guild, name: str) -> Cohort:
        return await find_cohort(self.cohorts, guild, name)

    async def _session(self, guild: discord.Guild, raw: str) -> Session:
        found = await self.store.session(snowflake(raw, "session", what="a session"))
        if found is None or found.guild_id != guild.id:
            raise UserError(
                "`session`: I can't find that session. Pick one from the list as you type."
            )
        return found

    async def _cohort_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await cohort_choices(self.cohorts, interaction, current)

    async def _is_facilitator(self, interaction: discord.Interaction) -> bool:
        if not isinstance(interaction.user, discord.Member):
            return False
        config = await self.bot.guild_configs.get(interaction.guild_id or 0)
        return member_is_facilitator(interaction.user, config)

    async def _upcoming_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Upcoming sessions of the server (facilitators only: they list every cohort)."""
        if interaction.guild is None or not await self._is_facilitator(interaction):
            return []
        now = self.bot.clock.now()
        sessions = await self.store.sessions_of_guild(
            interaction.guild.id, now, now + planning.HORIZON
        )
        return await self._choices(interaction.guild.id, sessions, current)

    async def _past_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None or not await self._is_facilitator(interaction):
            return []
        now = self.bot.clock.now()
        sessions = await self.store.sessions_of_guild(
            interaction.guild.id, now - timedelta(days=14), now
        )
        return await self._choices(interaction.guild.id, list(reversed(sessions)), current)

    async def _choices(
        self, guild_id: int, sessions: list[Session], current: str
    ) -> list[app_commands.Choice[str]]:
        names = {c.id: c.name for c in await self.cohorts.list(guild_id)}
        typed = current.strip().lower()
        choices = []
        for s in sessions:
            if s.cancelled:
                continue
            label = f"{names.get(s.cohort_id, '?')} · {session_name(s)} · "
            label += format_when(s.starts_at, s.timezone)
            if typed in label.lower() or typed == str(s.id):
                choices.append(app_commands.Choice(name=label[:100], value=str(s.id)))
        return choices[:25]

    async def _series_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None or not await self._is_facilitator(interaction):
            return []
        names = {c.id: c.name for c in await self.cohorts.list(interaction.guild.id)}
        typed = current.strip().lower()
        choices = []
        for s in await self.store.series_of_guild(interaction.guild.id):
            label = f"{names.get(s.cohort_id, '?')} · {s.title} · {describe_weekdays(s.weekdays)} "
            label += format_clock(s.start_time)
            if typed in label.lower():
                choices.append(app_commands.Choice(name=label[:100], value=str(s.id)))
        return choices[:25]

    async def _after_change(self, guild_id: int) -> None:
        await self.sender.rearm()
        await self.events.sync(guild_id)
