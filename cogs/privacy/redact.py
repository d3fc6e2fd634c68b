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

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

REDACT = "redact_message"
DELETED = "(removed at the person's request)"
EXPIRED = "(expired)"
# Fields that say what happened, not who or what they wrote: kept as they are.
KEPT_FIELDS = frozenset({"Level", "Status", "Why", "Where", "Messages", "Outcome"})
CRISIS_KINDS = (
    "crisis_alert",
    "crisis_follow_up",
    "crisis_note",
    "crisis_realert",
)


async def person_messages(tx: Transaction, guild_id: int, user_id: int) -> set[tuple[int, int]]:
    """(channel id, message id) of every staff message Lantern posted about the person."""
    alerts = await tx.fetch_all(
        "SELECT id FROM crisis_alerts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    reports = await tx.fetch_all(
        "SELECT id FROM reports WHERE guild_id = ? AND (author_id = ? OR reporter_id = ?)",
        (guild_id, user_id, user_id),
    )
    found = await _posted(tx, [r[0] for r in alerts], [r[0] for r in reports])
    for row in await tx.fetch_all(
        "SELECT notice_channel_id, notice_message_id FROM conversations "
        "WHERE guild_id = ? AND user_id = ? AND notice_message_id IS NOT NULL",
        (guild_id, user_id),
    ):
        found.add((row[0], row[1]))
    return found


async def withdraw_pending(outbox: Outbox, tx: Transaction, guild_id: int, user_id: int) -> int:
    """Lines about the person's alerts not yet posted lose their words before they go (the
    alert itself is posted from its row, which the deletion anonymizes)."""
    alerts = await tx.fetch_all(
        "SELECT id FROM crisis_alerts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    changed = 0
    for (alert_id,) in alerts:
        changed += await outbox.rewrite_pending(
            ("crisis_follow_up", "crisis_note"), alert_id, {"text": DELETED, "url": None}
        )
    return changed


async def expiring_messages(tx: Transaction, guild_id: int, cutoff: str) -> set[tuple[int, int]]:
    """Messages quoting alert and report excerpts that the retention purge is about to blank."""
    alerts = await tx.fetch_all(
        "SELECT id FROM crisis_alerts WHERE guild_id = ? AND created_at < ? "
        "AND excerpt IS NOT NULL",
        (guild_id, cutoff),
    )
    reports = await tx.fetch_all(
        "SELECT id FROM reports WHERE guild_id = ? AND created_at < ? AND excerpt IS NOT NULL",
        (guild_id, cutoff),
    )
    return await _posted(tx, [r[0] for r in alerts], [r[0] for r in reports])


async def _posted(tx: Transaction, alerts: list[int], reports: list[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for alert_id in alerts:
        row = await tx.fetch_one(
            "SELECT alert_channel_id, alert_message_id FROM crisis_alerts WHERE id = ?",
            (alert_id,),
        )
        if row and row[1]:
            found.add((row[0], row[1]))
        found |= await _landed(tx, CRISIS_KINDS, alert_id)
    for report_id in reports:  # its notice may have landed in a fallback: the outbox knows
        landed = await _landed(tx, ("report_notice",), report_id)
        row = await tx.fetch_one("SELECT alert_message_id FROM reports WHERE id = ?", (report_id,))
        if not landed and row and row[0]:
            # The outbox forgets delivered rows after a week; the report keeps its notice's
            # id, and the worker looks for it in the staff channels (0: channel unknown).
            landed = {(0, row[0])}
        found |= landed
    return {(c, m) for c, m in found if m}


async def _landed(tx: Transaction, kinds: tuple[str, ...], subject_id: int) -> set[tuple[int, int]]:
    marks = ", ".join("?" for _ in kinds)
    rows = await tx.fetch_all(
        f"SELECT channel_id, message_id FROM outbox WHERE kind IN ({marks}) "  # noqa: S608
        "AND subject_id = ? AND message_id IS NOT NULL",
        (*kinds, subject_id),
    )
    return {(r[0], r[1]) for r in rows}


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
