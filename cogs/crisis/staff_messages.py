"""Which staff messages Lantern posted about a person's crisis alerts: what privacy redacts
when the person's data is deleted or an alert's excerpt expires (through `api`)."""

from __future__ import annotations

from bot.outbox import Outbox
from bot.storage import Transaction

# Outbox kinds whose messages quote or name the person of an alert.
QUOTING_KINDS = ("crisis_alert", "crisis_follow_up", "crisis_note", "crisis_realert")
# Kinds still pending whose words are withdrawn before they go.
WORDED_KINDS = ("crisis_follow_up", "crisis_note")


async def about_person(tx: Transaction, guild_id: int, user_id: int) -> set[tuple[int, int]]:
    """(channel id, message id) of every alert message and line about the person."""
    rows = await tx.fetch_all(
        "SELECT id FROM crisis_alerts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    return await _posted(tx, [r[0] for r in rows])


async def quoting_before(tx: Transaction, guild_id: int, cutoff: str) -> set[tuple[int, int]]:
    """Messages about alerts whose excerpt the retention purge is about to blank."""
    rows = await tx.fetch_all(
        "SELECT id FROM crisis_alerts WHERE guild_id = ? AND created_at < ? "
        "AND excerpt IS NOT NULL",
        (guild_id, cutoff),
    )
    return await _posted(tx, [r[0] for r in rows])


async def withdraw_pending(
    outbox: Outbox, tx: Transaction, guild_id: int, user_id: int, marker: str
) -> int:
    """Lines about the person's alerts not yet posted lose their words before they go (the
    alert itself is posted from its row, which the deletion anonymizes)."""
    rows = await tx.fetch_all(
        "SELECT id FROM crisis_alerts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    changed = 0
    for (alert_id,) in rows:
        changed += await outbox.rewrite_pending(
            WORDED_KINDS, alert_id, {"text": marker, "url": None}
        )
    return changed


async def _posted(tx: Transaction, alert_ids: list[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for alert_id in alert_ids:
        row = await tx.fetch_one(
            "SELECT alert_channel_id, alert_message_id FROM crisis_alerts WHERE id = ?",
            (alert_id,),
        )
        if row and row[1]:
            found.add((row[0], row[1]))
        found |= await Outbox.landed(tx, QUOTING_KINDS, alert_id)
    return found
