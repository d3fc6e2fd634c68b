"""What other features may use of moderation: where report notices about a person landed
(privacy redacts them when the person's data is deleted or a report's excerpt expires)."""

from __future__ import annotations

from bot.outbox import Outbox
from bot.storage import Transaction

__all__ = ["report_notices_about", "report_notices_quoting_before"]

NOTICE_KIND = "report_notice"


async def report_notices_about(
    tx: Transaction, guild_id: int, user_id: int
) -> set[tuple[int, int]]:
    """(channel id, message id) of report notices where the person wrote or reported;
    channel 0 when only the message id is known (look in the staff channels)."""
    rows = await tx.fetch_all(
        "SELECT id FROM reports WHERE guild_id = ? AND (author_id = ? OR reporter_id = ?)",
        (guild_id, user_id, user_id),
    )
    return await _notices(tx, [r[0] for r in rows])


async def report_notices_quoting_before(
    tx: Transaction, guild_id: int, cutoff: str
) -> set[tuple[int, int]]:
    """Notices of reports whose excerpt the retention purge is about to blank."""
    rows = await tx.fetch_all(
        "SELECT id FROM reports WHERE guild_id = ? AND created_at < ? AND excerpt IS NOT NULL",
        (guild_id, cutoff),
    )
    return await _notices(tx, [r[0] for r in rows])


async def _notices(tx: Transaction, report_ids: list[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for report_id in report_ids:  # its notice may have landed in a fallback: the outbox knows
        landed = await Outbox.landed(tx, (NOTICE_KIND,), report_id)
        row = await tx.fetch_one("SELECT alert_message_id FROM reports WHERE id = ?", (report_id,))
        if not landed and row and row[0]:
            # The outbox forgets delivered rows after a week; the report keeps its notice's
            # id, and the redaction looks for it in the staff channels (0: channel unknown).
            landed = {(0, row[0])}
        found |= landed
    return {(c, m) for c, m in found if m}
