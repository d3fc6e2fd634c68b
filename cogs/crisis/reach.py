"""Where staff can be reached about an alert, in order: the alert's own thread (for later
lines), the escalation channel, the moderation log, each facilitator's DMs, the owner's DMs.
`send_first` walks them until one takes the message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.outbox import Item, Undeliverable, is_permanent
from bot.staff import staff_channel
from bot.storage.guilds import GuildConfig
from bot.tree import new_incident_id
from cogs.crisis.store import Alert

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger these lines always had (before the split): operators filter on it.
log = logging.getLogger("cogs.crisis.escalation")

CHUNK_TIMEOUT = 10.0


@dataclass(frozen=True)
class Target:
    where: str
    """Where: "alert" (its thread), "team" (the cohort's care team channel), "escalation",
    "log", "dm" (a facilitator) or "owner"."""
    channel: discord.abc.Messageable


Send = Callable[[Target], Awaitable[discord.Message]]
Refused = Callable[[discord.Guild, str], Awaitable[None]]
"""Told when the escalation channel refuses (guild, reason), to warn staff at once."""


async def alert_context(bot: LanternBot, alert: Alert) -> tuple[discord.Guild, GuildConfig]:
    """The alert's server and its settings; Undeliverable once Lantern has left it."""
    guild = bot.get_guild(alert.guild_id)
    config = await bot.guild_configs.get(alert.guild_id)
    if guild is None or config is None:
        raise Undeliverable("Lantern is no longer in the alert's server")
    return guild, config


async def fetch_member(guild: discord.Guild, user_id: int | None) -> discord.Member | None:
    if not user_id:
        return None
    try:
        return await guild.fetch_member(user_id)
    except discord.NotFound:
        return None


async def staff_targets(guild: discord.Guild, config: GuildConfig) -> AsyncIterator[Target]:
    """Escalation channel, moderation log, each facilitator's DMs, the owner's DMs."""
    for kind in ("escalation", "log"):
        channel = staff_channel(guild, config, kind)
        if channel is not None:
            yield Target(kind, channel)
    role = guild.get_role(config.facilitator_role_id or 0)
    if role is not None:
        if not guild.chunked:
            try:
                await asyncio.wait_for(guild.chunk(), CHUNK_TIMEOUT)
            except (TimeoutError, discord.ClientException):
                log.warning("could not load the member list", extra={"guild_id": guild.id})
        for member in role.members:
            if not member.bot:
                yield Target("dm", member)
    owner = guild.owner or await fetch_member(guild, guild.owner_id)
    if owner is not None:
        yield Target("owner", owner)


async def send_first(
    guild: discord.Guild,
    config: GuildConfig,
    item: Item,
    send: Send,
    refused_escalation: Refused,
    *,
    first: discord.abc.Messageable | None = None,
    first_where: str = "alert",
) -> tuple[Target, discord.Message]:
    """Post with `send(target)` to the first target that takes it; every refusal is logged
    at ERROR with an incident id. DMs go to every facilitator (any one landing is enough).
    Transient errors propagate: the outbox retries the whole item."""

    async def targets() -> AsyncIterator[Target]:
        # Lazily: the member list is only loaded if every channel refuses.
        if first is not None:
            yield Target(first_where, first)
        async for target in staff_targets(guild, config):
            yield target

    refused = []
    landed: tuple[Target, discord.Message] | None = None
    async for target in targets():
        # Once it landed, stop; except that every facilitator's DMs get it.
        if landed is not None and not (landed[0].where == target.where == "dm"):
            break
        try:
            message = await send(target)
        except discord.HTTPException as error:
            if not is_permanent(error):
                if landed is not None:
                    continue  # one facilitator reached is enough
                raise
            incident = new_incident_id()
            log.error(
                "could not reach staff here; trying the next place (incident %s)",
                incident,
                extra={
                    "outbox_id": item.id,
                    "kind": item.kind,
                    "guild_id": guild.id,
                    "where": target.where,
                    "status": error.status,
                    "code": error.code,
                    "incident": incident,
                },
            )
            refused.append(f"{target.where}:{error.code or error.status}")
            if target.where == "escalation":
                await refused_escalation(guild, f"Discord refused: {error.text}")
            continue
        if landed is None:
            landed = (target, message)
    if landed is None:
        raise Undeliverable("no place took it: " + (", ".join(refused) or "none configured"))
    return landed
