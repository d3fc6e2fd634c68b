"""Deleted means deleted: the staff messages Lantern posted about a person lose their words
and mention when the person's data is deleted (or its free text expires).

Which messages: crisis alerts and everything posted about them (repeats, follow-ups, notes:
the outbox records where each landed), report notices, and `/talk` conversation notices.
The edits are outbox items written in the deletion's own transaction, so a restart or a
Discord outage delays them, never loses them. A message already gone is nothing to redact.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.interactions import NO_PINGS
from bot.outbox import ROUTINE, Item, Landed, Outbox
from bot.staff import staff_channel
from bot.storage import Transaction
from cogs.crisis import api as crisis_api
from cogs.moderation import api as moderation_api
from cogs.support import api as support_api

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

REDACT = "redact_message"
DELETED = "(removed at the person's request)"
EXPIRED = "(expired)"
# Fields that say what happened, not who or what they wrote: kept as they are.
KEPT_FIELDS = frozenset({"Level", "Status", "Why", "Where", "Messages", "Outcome"})


async def person_messages(tx: Transaction, guild_id: int, user_id: int) -> set[tuple[int, int]]:
    """(channel id, message id) of every staff message Lantern posted about the person."""
    return (
        await crisis_api.alert_messages_about(tx, guild_id, user_id)
        | await moderation_api.report_notices_about(tx, guild_id, user_id)
        | await support_api.conversation_notices_about(tx, guild_id, user_id)
    )


async def withdraw_pending(outbox: Outbox, tx: Transaction, guild_id: int, user_id: int) -> int:
    """Lines about the person not yet posted lose their words before they go."""
    return await crisis_api.withdraw_pending_alert_lines(outbox, tx, guild_id, user_id, DELETED)


async def expiring_messages(tx: Transaction, guild_id: int, cutoff: str) -> set[tuple[int, int]]:
    """Messages quoting alert and report excerpts that the retention purge is about to blank."""
    return await crisis_api.alert_messages_quoting_before(
        tx, guild_id, cutoff
    ) | await moderation_api.report_notices_quoting_before(tx, guild_id, cutoff)


async def enqueue(
    outbox: Outbox, guild_id: int, messages: set[tuple[int, int]], user_id: int | None, why: str
) -> None:
    """One edit per message (call inside the deletion's transaction)."""
    for channel_id, message_id in sorted(messages):
        await outbox.enqueue(
            REDACT,
            message_id,
            guild_id=guild_id,
            key=f"{REDACT}:{message_id}:{why}",
            payload={"channel_id": channel_id, "user_id": user_id, "why": why},
        )


def redacted_embed(embed: discord.Embed, marker: str) -> discord.Embed:
    """The embed with what identifies or quotes the person replaced: the description (the
    excerpt), the title after its colon (their name), and every field but the outcome ones."""
    title = (embed.title or "").split(":", 1)[0] or None
    clean = discord.Embed(
        title=title,
        description=marker if embed.description else None,
        colour=discord.Colour.dark_grey(),
        timestamp=embed.timestamp,
    )
    for item in embed.fields:
        kept = item.name in KEPT_FIELDS
        clean.add_field(name=item.name, value=item.value if kept else marker, inline=item.inline)
    if embed.footer.text:
        clean.set_footer(text=embed.footer.text)
    return clean


async def deliver(bot: LanternBot, item: Item) -> Landed | None:
    payload: dict[str, Any] = item.payload
    marker = EXPIRED if payload.get("why") == "expired" else DELETED
    channel_id = payload.get("channel_id") or 0
    try:
        if channel_id:
            found = await _message(bot, channel_id, item.subject_id)
        else:
            found = await _in_staff_channels(bot, item.guild_id, item.subject_id)
        if found is None:
            return Landed("nowhere")
        channel, message = found
        await message.edit(
            content=marker if message.content else None,
            embeds=[redacted_embed(e, marker) for e in message.embeds],
            allowed_mentions=NO_PINGS,
        )
    except discord.NotFound:  # deleted by staff, or its channel: nothing left to redact
        return Landed("nowhere")
    log.info("redacted a staff message", extra={"message_id": item.subject_id})
    return Landed("edited", getattr(channel, "id", None), item.subject_id)


async def _message(
    bot: LanternBot, channel_id: int, message_id: int
) -> tuple[discord.abc.Messageable, discord.Message] | None:
    channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        return None
    return channel, await channel.fetch_message(message_id)


async def _in_staff_channels(
    bot: LanternBot, guild_id: int | None, message_id: int
) -> tuple[discord.abc.Messageable, discord.Message] | None:
    """A message whose channel was not recorded: the moderation log, else the escalation
    channel (where a report notice falls back)."""
    guild = bot.get_guild(guild_id or 0)
    config = await bot.guild_configs.get(guild_id or 0) if guild else None
    for kind in ("log", "escalation"):
        channel = staff_channel(guild, config, kind) if guild else None
        if channel is None:
            continue
        try:
            return channel, await channel.fetch_message(message_id)
        except discord.NotFound:
            continue
    return None


def register(bot: LanternBot) -> None:
    async def handler(item: Item) -> Landed | None:
        return await deliver(bot, item)

    bot.outbox.register(REDACT, handler, ROUTINE)
