"""Storage: one database (an embedded SQLite file, or PostgreSQL), numbered migrations,
small typed repositories."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.storage.database import Database, Transaction
from bot.storage.migrations import MigrationError, apply_migrations, schema_status


def _integrity_errors() -> tuple[type[Exception], ...]:
    try:
        import asyncpg
    except ImportError:  # PostgreSQL support not installed: only SQLite's can happen
        return (sqlite3.IntegrityError,)
    return (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


IntegrityError = _integrity_errors()
"""A constraint refused a write (a duplicate, a missing parent): `except IntegrityError:`."""


def without_password(target: str) -> str:
    """A database setting as logs and messages may show it (a URL's password hidden)."""
    head, sep, tail = target.partition("@")
    if not sep or "://" not in head or ":" not in head.split("//", 1)[1]:
        return target
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"


async def open_database(target: str | Path) -> Any:
    """The database a `LANTERN_DATABASE` setting names: a path or sqlite:///path (SQLite), or
    postgresql://... (PostgreSQL, through asyncpg)."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        from bot.storage.postgres import PostgresDatabase

        return await PostgresDatabase.open(text)
    return await Database.open(text.removeprefix("sqlite:///"))


__all__ = [
    "Database",
    "IntegrityError",
    "MigrationError",
    "Transaction",
    "apply_migrations",
    "open_database",
    "schema_status",
    "without_password",
]
