"""Posting to a cohort's care team: an outbox kind, so what other features send a team (the
daily digest's section for its cohort) is recorded with their own work and retried through
Discord errors. Without a team channel (or once it is gone) there is nothing to post: program
staff's copy in the moderation log stands."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.interactions import NO_PINGS
from bot.outbox import ROUTINE, Item, Landed
from cogs.cohorts.store import CohortStore

if TYPE_CHECKING:
    from bot.client import LanternBot
    from bot.outbox import Outbox

TEAM_POST = "cohort_team_post"
MENTION_ROOM = 1500
"""Characters of a message's content that a team's mentions may take (Discord allows 2,000)."""


def team_mentions(
    guild: discord.Guild, user_ids: Sequence[int], role_ids: Sequence[int]
) -> tuple[str, discord.AllowedMentions]:
    """The mentions that page a care team (its roles first: one reaches many), as many as
    fit in MENTION_ROOM, and the allowed_mentions that ping exactly those."""
    roles = [r for r in map(guild.get_role, role_ids) if r is not None]
    shown: list[str] = []
    pinged_roles: list[discord.Role] = []
    pinged_users: list[discord.Object] = []
    for role in roles:
        if len(" ".join([*shown, role.mention])) > MENTION_ROOM:
            break
        shown.append(role.mention)
        pinged_roles.append(role)
    for user_id in user_ids:
        if len(" ".join([*shown, f"<@{user_id}>"])) > MENTION_ROOM:
            break
        shown.append(f"<@{user_id}>")
        pinged_users.append(discord.Object(user_id))
    return " ".join(shown), discord.AllowedMentions(users=pinged_users, roles=pinged_roles)


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
