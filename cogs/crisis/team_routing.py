"""Alerts about a member of a cohort with a care team: the team's channel and how to ping it,
and what program staff are told when the team has not acknowledged in time (delivery.py
sends; escalation.py keeps the repeats)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from cogs.cohorts.api import CareTeam, care_team_of, team_mentions
from cogs.crisis.store import Alert

if TYPE_CHECKING:
    from bot.client import LanternBot


async def team_channel(
    bot: LanternBot, guild: discord.Guild, alert: Alert
) -> tuple[CareTeam, discord.TextChannel] | None:
    """The person's care team and its channel, when their cohort has both (the alert goes
    there first; program staff only after `escalate_after`)."""
    if alert.user_id is None:
        return None
    team = await care_team_of(bot.db, guild.id, alert.user_id)
    channel = guild.get_channel(team.channel_id or 0) if team else None
    if team is None or not isinstance(channel, discord.TextChannel):
        return None
    return team, channel


def team_ping(guild: discord.Guild, team: CareTeam) -> tuple[str, discord.AllowedMentions]:
    """The mentions of the team's people and roles, and the allowed_mentions that ping
    exactly them."""
    return team_mentions(guild, team.user_ids, team.role_ids)


def escalation_text(
    alert: Alert, waited: timedelta, team: tuple[CareTeam, discord.TextChannel] | None
) -> str:
    minutes = int(waited.total_seconds() // 60)
    cohort = f"**{team[0].cohort_name}**'s care team" if team else "the care team"
    return (
        f"⏫ Crisis alert #{alert.id} for <@{alert.user_id}> has waited {minutes} minute"
        f"{'s' if minutes != 1 else ''} for {cohort} and nobody has acknowledged it. "
        "Please make sure someone responds."
    )
