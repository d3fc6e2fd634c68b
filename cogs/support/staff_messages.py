"""Which staff messages Lantern posted about a person's `/talk` conversations: what privacy
redacts when the person's data is deleted (through `api`)."""

from __future__ import annotations

from bot.storage import Transaction


async def conversation_notices_about(
    tx: Transaction, guild_id: int, user_id: int
) -> set[tuple[int, int]]:
    """(channel id, message id) of the staff notice of each of the person's conversations."""
    rows = await tx.fetch_all(
        "SELECT notice_channel_id, notice_message_id FROM conversations "
        "WHERE guild_id = ? AND user_id = ? AND notice_message_id IS NOT NULL",
        (guild_id, user_id),
    )
    return {(r[0], r[1]) for r in rows}
