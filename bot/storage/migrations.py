"""Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order in one transaction.

The applied versions live in the database itself (`schema_version`), so a copied or restored
database always says what shape it is in. A database newer than this code is refused.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from bot.storage.database import Database

log = logging.getLogger(__name__)

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_OVERRIDE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(postgresql)\.sql$")
"""`0009_name.postgresql.sql` replaces `0009_name.sql` on PostgreSQL, where they truly differ."""


class MigrationError(Exception):
    """The database cannot be brought to this code's schema; the message says why."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


@dataclass(frozen=True)
class SchemaStatus:
    current: int
    latest: int

    @property
    def pending(self) -> int:
        return max(self.latest - self.current, 0)


def available_migrations(backend: str = "sqlite") -> list[Migration]:
    folder = resources.files("bot.storage") / "migrations"
    found = []
    overrides = {}
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
        elif (other := _OVERRIDE.match(entry.name)) and other[3] == backend:
            overrides[int(other[1])] = entry.read_text(encoding="utf-8")
    found = [Migration(m.version, m.name, overrides.get(m.version, m.sql)) for m in found]
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise MigrationError(f"migration files must be numbered 0001.. without gaps: {found}")
    return found


_CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


async def _current_version(db: Database) -> int:
    if not await db.table_exists("schema_version"):
        return 0
    row = await db.fetch_one("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")
    return int(row["v"]) if row else 0


async def schema_status(db: Database) -> SchemaStatus:
    return SchemaStatus(await _current_version(db), len(available_migrations(db.backend)))


async def apply_migrations(db: Database, now: datetime) -> list[Migration]:
    """Apply every pending migration in one transaction; returns the ones applied."""
    migrations = available_migrations(db.backend)
    latest = len(migrations)
    async with db.transaction() as tx:
        await tx.execute(_CREATE_VERSION_TABLE)
        current = await _current_version(db)
        if current > latest:
            raise MigrationError(
                f"the database is at schema version {current}, newer than this Lantern "
                f"(which knows up to {latest}). Upgrade Lantern, or restore a backup made "
                "with this version."
            )
        pending = [m for m in migrations if m.version > current]
        for migration in pending:
            await db.execute_script(migration.sql)
            await tx.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, now.isoformat()),
            )
    if pending:
        await db.schema_changed()
    for migration in pending:
        log.info(
            "applied migration", extra={"version": migration.version, "migration": migration.name}
        )
    return pending
