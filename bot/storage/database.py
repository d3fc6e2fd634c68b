"""The one SQLite connection and its transactions.

A single aiosqlite connection serves the whole bot. Because one connection has one
transaction state, every statement runs under a lock: a write transaction holds it from
BEGIN to COMMIT, so no other coroutine reads half-written data or slips a statement into
someone else's transaction. Code already inside a transaction (same task) reuses it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]
BUSY_TIMEOUT_MS = 5_000


class DatabaseClosedError(RuntimeError):
    """The database was closed (the bot is shutting down)."""


class Transaction:
    """Statements run inside one open transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._after_commit: list[Callable[[], None]] = []
        self.open = True
        """False once committed or rolled back: a task started inside the transaction
        (which inherits its context) must not use it afterwards."""

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (never if it rolls back):
        e.g. wake the outbox worker only when the row it must deliver is really there."""
        self._after_commit.append(callback)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the last inserted row id (0 when none)."""
        cursor = await self._conn.execute(sql, params)
        row_id = cursor.lastrowid or 0
        await cursor.close()
        return row_id

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


_current: ContextVar[Transaction | None] = ContextVar("lantern_transaction", default=None)


def _active() -> Transaction | None:
    tx = _current.get()
    return tx if tx is not None and tx.open else None


class Database:
    backend = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (and create) the database file with WAL, foreign keys and a busy timeout."""
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, nothing implicit.
        conn = await aiosqlite.connect(target, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        if target != ":memory:":
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
        return cls(conn, target)

    @property
    def closed(self) -> bool:
        return self._closed

    async def table_exists(self, name: str) -> bool:
        row = await self.fetch_one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        return row is not None

    async def schema_changed(self) -> None:
        """After migrations (PostgreSQL re-reads its tables; nothing to do here)."""

    async def close(self) -> None:
        """Wait for the transaction in flight, then close. Safe to call twice."""
        if self._closed:
            return
        async with self._lock:
            self._closed = True
            await self._conn.close()
        log.debug("database closed", extra={"database": self.path})

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One atomic unit of work: committed on success, rolled back on any exception."""
        current = _active()
        if current is not None:
            yield current
            return
        async with self._lock:
            self._ensure_open()
            tx = Transaction(self._conn)
            token = _current.set(tx)
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield tx
            except BaseException:
                # Also when cancelled while BEGIN was still queued for the worker thread: it
                # runs anyway, and a transaction left open would break every later one.
                await asyncio.shield(self._undo())
                raise
            else:
                await self._conn.execute("COMMIT")
            finally:
                tx.open = False
                _current.reset(token)
            for callback in tx._after_commit:
                callback()

    async def _undo(self) -> None:
        await self._conn.execute("SELECT 1")  # let anything still queued (a BEGIN) run first
        if self._conn.in_transaction:
            await self._conn.execute("ROLLBACK")

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        current = _active()
        if current is not None:
            return await current.fetch_one(sql, params)
        async with self._lock:
            self._ensure_open()
            return await Transaction(self._conn).fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        current = _active()
        if current is not None:
            return await current.fetch_all(sql, params)
        async with self._lock:
            self._ensure_open()
            return await Transaction(self._conn).fetch_all(sql, params)

    async def execute_script(self, script: str) -> None:
        """Run a multi-statement script inside the current transaction (migrations)."""
        # sqlite3's executescript() would COMMIT first; split on ';' is unsafe for triggers,
        # so use the C-level complete_statement to cut the script into statements.
        tx = _active()
        if tx is None:
            raise RuntimeError("execute_script must run inside a transaction")
        for statement in split_sql(script):
            await tx.execute(statement)

    def _ensure_open(self) -> None:
        if self._closed:
            raise DatabaseClosedError("the database is closed")


def split_sql(script: str) -> list[str]:
    """Cut a SQL script into complete statements (handles ';' inside strings and triggers)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            stripped = buffer.strip()
            if _has_code(stripped):
                statements.append(stripped)
            buffer = ""
    if _has_code(buffer.strip()):
        raise ValueError("SQL script ends with an incomplete statement")
    return statements


def _has_code(sql: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in sql.splitlines())
