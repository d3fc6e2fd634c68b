"""Posting to a cohort's care team: an outbox kind, so what other features send a team (the
daily digest's section for its cohort) is recorded with their own work and retried through
Discord errors. Without a team channel (or once it is gone) there is nothing to post: program
staff's copy in the moderation log stands."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.interactions import NO_PINGS
from bot.outbox import ROUTINE, Item, Landed
from cogs.cohorts.store import CohortStore

if TYPE_CHECKING:
    from bot.client import LanternBot
    from bot.outbox import Outbox

TEAM_POST = "cohort_team_post"


async def post_to_team(
    outbox: Outbox, guild_id: int, cohort_id: int, *, embed: discord.Embed
) -> None:
    """Queue `embed` for the cohort's team channel (quietly: no pings)."""
    await outbox.enqueue(
        TEAM_POST,
        cohort_id,
        guild_id=guild_id,
        key=f"{TEAM_POST}:{cohort_id}:{secrets.token_hex(8)}",
        payload={"embed": embed.to_dict()},
    )


class TeamPoster:
    def __init__(self, bot: LanternBot, store: CohortStore) -> None:
        self.bot = bot
        self.store = store

    def register(self) -> None:
        self.bot.outbox.register(TEAM_POST, self.deliver, ROUTINE)

    def unregister(self) -> None:
        self.bot.outbox.unregister(TEAM_POST)

    async def deliver(self, item: Item) -> Landed | None:
        guild = self.bot.get_guild(item.guild_id or 0)
        cohort = await self.store.get(item.guild_id or 0, item.subject_id)
        channel = guild.get_channel(cohort.team_channel_id or 0) if guild and cohort else None
        if not isinstance(channel, discord.TextChannel):
            return None  # no team channel any more: the staff copy stands
        embed: dict[str, Any] = item.payload.get("embed") or {}
        sent = await channel.send(
            embed=discord.Embed.from_dict(embed), allowed_mentions=NO_PINGS, nonce=item.nonce()
        )
        return Landed("team", channel.id, sent.id)
