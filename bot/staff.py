"""Posting to the server's staff channels (moderation log, escalations) safely."""

from __future__ import annotations

import logging
import secrets

import discord

from bot.interactions import NO_PINGS
from bot.outbox import Item, Landed, Outbox, Undeliverable
from bot.storage.guilds import GuildConfig, GuildConfigStore

log = logging.getLogger(__name__)


def staff_channel(
    guild: discord.Guild, config: GuildConfig | None, kind: str = "log"
) -> discord.TextChannel | None:
    if config is None:
        return None
    channel_id = config.log_channel_id if kind == "log" else config.escalation_channel_id
    channel = guild.get_channel(channel_id) if channel_id else None
    return channel if isinstance(channel, discord.TextChannel) else None


STAFF_LOG = "staff_log"


async def post_log(
    outbox: Outbox,
    guild: discord.Guild,
    config: GuildConfig | None,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
) -> bool:
    """Record something in the moderation log; never pings. It goes through the outbox (in
    the caller's transaction, if any), so a Discord hiccup delays it rather than losing it.
    False if the server has no log channel: the caller's action still stands."""
    if staff_channel(guild, config, "log") is None:
        log.warning("no moderation-log channel to post to", extra={"guild_id": guild.id})
        return False
    await outbox.enqueue(
        STAFF_LOG,
        guild.id,
        guild_id=guild.id,
        key=f"{STAFF_LOG}:{guild.id}:{secrets.token_hex(8)}",
        payload={"content": content, "embed": embed.to_dict() if embed else None},
    )
    return True


async def deliver_log(client: discord.Client, configs: GuildConfigStore, item: Item) -> Landed:
    """The outbox's handler for `post_log`."""
    guild = client.get_guild(item.subject_id)
    channel = staff_channel(guild, await configs.get(item.subject_id), "log") if guild else None
    if channel is None:
        raise Undeliverable("no moderation-log channel")
    embed = item.payload.get("embed")
    sent = await channel.send(
        item.payload.get("content"),
        embed=discord.Embed.from_dict(embed) if embed else None,
        allowed_mentions=NO_PINGS,
        nonce=item.nonce(),
    )
    return Landed("log", channel.id, sent.id)
