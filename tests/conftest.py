"""Fixtures shared by every test: a fresh, migrated database per test: a SQLite file, or,
when LANTERN_TEST_POSTGRES names a server (postgresql://user@host:port), a new PostgreSQL
database on it, dropped afterwards."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.storage import Database, apply_migrations, open_database

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """Where this test's database lives (see the module's docstring)."""
    server = os.environ.get("LANTERN_TEST_POSTGRES")
    if not server:
        yield str(tmp_path / "lantern.db")
        return
    import asyncpg

    name = f"t_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        yield f"{server}/{name}"
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def db(database_url: str, clock: FakeClock) -> AsyncIterator[Database]:
    database = await open_database(database_url)
    await apply_migrations(database, clock.now())
    yield database
    await database.close()
