"""Fixtures for several "processes" on one database: each its own connection (a pool on
PostgreSQL), as separate processes would have."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from bot.storage import Database, apply_migrations, open_database

MIGRATED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
async def connect(database_url: str) -> AsyncIterator[Callable[[], Awaitable[Database]]]:
    """Open another connection to the same (migrated) database, as another process would."""
    opened: list[Database] = []

    async def open_one() -> Database:
        db = await open_database(database_url)
        if not opened:
            await apply_migrations(db, MIGRATED_AT)
        opened.append(db)
        return db

    yield open_one
    for db in opened:
        await db.close()


@pytest.fixture
async def two(connect: Callable[[], Awaitable[Database]]) -> tuple[Database, Database]:
    """Two processes' connections."""
    return await connect(), await connect()
