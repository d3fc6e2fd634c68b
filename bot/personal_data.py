"""What Lantern does with the personal data the catalogue (data_catalogue.py) lists:
`/mydata export` and `/mydata delete`, encryption at rest of stored free text, the purge of
free text after the server's retention period, and key rotation.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from bot.crypto import PREFIX, Cipher
from bot.data_catalogue import (
    CATALOGUE,
    NOT_FREE_TEXT,
    NOT_PERSONAL,
    Action,
    Catalogue,
    PersonalRows,
    Retention,
    is_time_column,
)
from bot.storage import Database, Transaction

__all__ = [
    "CATALOGUE",
    "NOT_FREE_TEXT",
    "NOT_PERSONAL",
    "Action",
    "Catalogue",
    "PersonalRows",
    "Retention",
    "anonymous_token",
    "delete_person",
    "encrypt_plaintext",
    "export_person",
    "is_time_column",
    "purge_expired",
    "rotate_all",
]


async def encrypt_plaintext(db: Database, cipher: Cipher) -> int:
    """Encrypt values stored before their column was encrypted (or before a key was set);
    cheap when there are none, so it runs at every start-up with a key."""
    if not cipher.enabled:
        return 0
    changed = 0
    async with db.transaction() as tx:
        for table, column in CATALOGUE.encrypted:
            rows = await tx.fetch_all(
                f"SELECT DISTINCT {column} FROM {table} "  # noqa: S608 (constants)
                f"WHERE {column} IS NOT NULL AND substr({column}, 1, ?) <> ?",
                (len(PREFIX), PREFIX),
            )
            # By value, not rowid (PostgreSQL has none): rows with the same text share it.
            for (value,) in rows:
                await tx.execute(
                    f"UPDATE {table} SET {column} = ? WHERE {column} = ?",  # noqa: S608
                    (cipher.encrypt(value), value),
                )
            changed += len(rows)
    return changed


def anonymous_token() -> str:
    return "anon-" + secrets.token_hex(4)


async def export_person(
    db: Database, cipher: Cipher, guild_id: int, user_id: int
) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about the person in this server, decrypted, by table."""
    encrypted = set(CATALOGUE.encrypted)
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in CATALOGUE.rows:
        if not entry.export:
            continue
        rows = await db.fetch_all(
            f"SELECT * FROM {entry.table} WHERE {entry.condition()}",  # noqa: S608 (constants)
            {"user": user_id, "guild": guild_id},
        )
        items = []
        for row in rows:
            item = {key: row[key] for key in row.keys()}  # noqa: SIM118 (sqlite3.Row)
            for key, value in item.items():
                if (entry.table, key) in encrypted and isinstance(value, str):
                    item[key] = cipher.decrypt(value)
                elif key == "reasons" and isinstance(value, str):
                    item[key] = json.loads(value)
            items.append(item)
        if items:
            found.setdefault(f"{entry.table}.{entry.column}", []).extend(items)
    return found


async def delete_person(tx: Transaction, guild_id: int, user_id: int) -> dict[str, int]:
    """Delete or anonymize the person's rows in one transaction; returns counts by table."""
    token = anonymous_token()
    counts: dict[str, int] = {}
    params = {"user": user_id, "guild": guild_id, "token": token}
    # Feedback examples quote the person's words: scrub them with their alerts.
    await tx.execute(
        "UPDATE crisis_feedback SET text = NULL WHERE alert_id IN "
        "(SELECT id FROM crisis_alerts WHERE guild_id = :guild AND user_id = :user)",
        params,
    )
    for entry in CATALOGUE.rows:
        where = entry.condition()
        if entry.action == "delete":
            sql = f"DELETE FROM {entry.table} WHERE {where} RETURNING 1"  # noqa: S608
        else:
            sets = [f"{c} = NULL" for c in entry.scrub]
            if entry.token_column:
                sets.append(f"{entry.token_column} = :token")
            sql = f"UPDATE {entry.table} SET {', '.join(sets)} WHERE {where} RETURNING 1"  # noqa: S608
        rows = await tx.fetch_all(sql, params)
        if rows:
            counts[entry.table] = counts.get(entry.table, 0) + len(rows)
    return counts


async def purge_expired(
    db: Database, guild_id: int, now: datetime, days: dict[str, int]
) -> dict[str, int]:
    """Blank free text older than the server's retention; numbers and outcomes stay."""
    counts: dict[str, int] = {}
    async with db.transaction() as tx:
        for rule in CATALOGUE.retention:
            cutoff = (now - timedelta(days=days[rule.setting])).isoformat()
            blank = " OR ".join(f"{c} IS NOT NULL" for c in rule.columns)
            sets = ", ".join(f"{c} = NULL" for c in rule.columns)
            rows = await tx.fetch_all(
                f"UPDATE {rule.table} SET {sets} WHERE guild_id = ? AND {rule.timestamp} < ? "  # noqa: S608
                f"AND ({blank}) RETURNING 1",
                (guild_id, cutoff),
            )
            if rows:
                counts[rule.table] = counts.get(rule.table, 0) + len(rows)
    return counts


async def rotate_all(db: Database, cipher: Cipher) -> int:
    """Re-encrypt every encrypted column with the current key (encrypting plaintext too)."""
    changed = 0
    async with db.transaction() as tx:
        for table, column in CATALOGUE.encrypted:
            rows = await tx.fetch_all(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
            )
            for (value,) in rows:
                new = cipher.rotate(value)
                if new != value:
                    await tx.execute(
                        f"UPDATE {table} SET {column} = ? WHERE {column} = ?",  # noqa: S608
                        (new, value),
                    )
                    changed += 1
    return changed
