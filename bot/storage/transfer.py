"""`python -m bot migrate-data`: copy a Lantern SQLite database into an empty PostgreSQL one.

Both sides are brought to the latest migration first, so they have the same tables and
columns. Every table but the migrations' own bookkeeping is copied in one PostgreSQL
transaction (all or nothing), parents before children (foreign keys), in batches; then each
identity sequence is moved past the largest id, so new rows don't collide; then the row
counts are compared. Values are copied as stored: encrypted columns stay encrypted with the
same data key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.storage.database import Database as SqliteDatabase
from bot.storage.postgres import PostgresDatabase

BOOKKEEPING = frozenset({"schema_version"})
BATCH = 2_000


class TransferError(RuntimeError):
    """The copy can't be made (nothing was written)."""


@dataclass
class Copied:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def tables_in_order(source: SqliteDatabase) -> list[str]:
    """The source's tables, every table after those its foreign keys point to."""
    rows = await source.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    names = [r[0] for r in rows if r[0] not in BOOKKEEPING]
    parents: dict[str, set[str]] = {}
    for name in names:
        keys = await source.fetch_all(f"PRAGMA foreign_key_list({name})")
        parents[name] = {k[2] for k in keys if k[2] != name}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # a cycle: keep the rest in name order (none in Lantern's schema)
            ready = [n for n in names if n not in ordered]
        ordered += ready
    return ordered


async def first_non_empty(target: PostgresDatabase, tables: list[str]) -> str | None:
    for table in tables:
        if await target.fetch_one(f"SELECT 1 FROM {table} LIMIT 1"):  # noqa: S608 (our names)
            return table
    return None


async def copy_database(
    source: SqliteDatabase,
    target: PostgresDatabase,
    *,
    progress: Callable[[str, int], None] = lambda table, rows: None,
    batch: int = BATCH,
) -> Copied:
    """Copy every table; raises TransferError (and writes nothing) if the target has data,
    or if the two schemas differ."""
    started = time.perf_counter()
    tables = await tables_in_order(source)
    if (busy := await first_non_empty(target, tables)) is not None:
        raise TransferError(
            f"the target already holds data (table {busy} has rows); migrate into an empty database"
        )
    copied = Copied()
    async with target.transaction() as tx:
        for table in tables:
            columns = [c[1] for c in await source.fetch_all(f"PRAGMA table_info({table})")]
            missing = set(columns) - await _target_columns(target, table)
            if missing:
                raise TransferError(f"{table} has no column(s) {sorted(missing)} in the target")
            names = ", ".join(columns)
            insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608
            count, last = 0, None
            while True:
                rows = await source.fetch_all(
                    f"SELECT rowid, {names} FROM {table} "  # noqa: S608 (our names)
                    + ("WHERE rowid > ? " if last is not None else "")
                    + "ORDER BY rowid LIMIT ?",
                    (last, batch) if last is not None else (batch,),
                )
                if not rows:
                    break
                await tx.execute_many(insert, [tuple(r)[1:] for r in rows])
                last = rows[-1][0]
                count += len(rows)
                progress(table, count)
            copied.rows[table] = count
            if "id" in columns:
                await tx.fetch_one(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
        for table, count in copied.rows.items():
            row = await tx.fetch_one(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            if row is None or int(row[0]) != count:
                raise TransferError(f"{table}: {count} rows read but {row and row[0]} written")
    copied.seconds = time.perf_counter() - started
    return copied


async def _target_columns(target: PostgresDatabase, table: str) -> set[str]:
    rows = await target.fetch_all(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    return {r[0] for r in rows}
