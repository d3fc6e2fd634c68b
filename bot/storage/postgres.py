"""PostgreSQL as Lantern's store (`LANTERN_DATABASE=postgresql://...`), through asyncpg.

The same interface as the SQLite `Database` (transaction, execute, fetch_one, fetch_all,
execute_script), and the same SQL: statements are translated by `dialect.py`. Within one
process, write transactions are serialised as they are on SQLite (one at a time, under a
lock), so code written for one writer behaves the same; reads outside a transaction run on
the pool at once. Between processes, claims rely on conditional updates (`UPDATE ... WHERE
status = 'pending'`), which PostgreSQL re-checks after a row lock: exactly one process wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg

from bot.storage import dialect, without_password
from bot.storage.database import DatabaseClosedError, split_sql

log = logging.getLogger(__name__)

POOL_SIZE = 10


Params = Sequence[Any] | dict[str, Any]


def _bind(sql: str, params: Params) -> tuple[str, Sequence[Any]]:
    """PostgreSQL's text of `sql` and its arguments (`?` or `:name` parameters)."""
    if isinstance(params, dict):
        text, names = dialect.named(sql)
        return text, [params[name] for name in names]
    return dialect.statement(sql), params


class PgTransaction:
    """Statements run inside one open PostgreSQL transaction."""

    def __init__(self, conn: asyncpg.Connection, ids: frozenset[str]) -> None:
        self._conn = conn
        self._ids = ids
        self._after_commit: list[Callable[[], None]] = []
        self.open = True
        """False once committed or rolled back: a task started inside the transaction
        (which inherits its context) must not use it afterwards."""

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; an INSERT returns its new row's id (0 when none)."""
        table = dialect.inserts_into(sql)
        text, args = _bind(sql, params)
        if table is not None and table in self._ids:
            value = await self._conn.fetchval(f"{text} RETURNING id", *args)
            return int(value or 0)
        await self._conn.execute(text, *args)
        return 0

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        batch = [_bind(sql, row) for row in rows]
        if batch:
            await self._conn.executemany(batch[0][0], [tuple(args) for _, args in batch])

    async def fetch_one(self, sql: str, params: Params = ()) -> asyncpg.Record | None:
        return await self._conn.fetchrow(*_args(sql, params))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        return list(await self._conn.fetch(*_args(sql, params)))


def _args(sql: str, params: Params) -> list[Any]:
    text, args = _bind(sql, params)
    return [text, *args]


_current: ContextVar[PgTransaction | None] = ContextVar("lantern_pg_transaction", default=None)


def _active() -> PgTransaction | None:
    tx = _current.get()
    return tx if tx is not None and tx.open else None


class PostgresDatabase:
    backend = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._lock = asyncio.Lock()
        self._closed = False
        self._ids: frozenset[str] = frozenset()
        self.path = without_password(url)

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE)
        db = cls(pool, url)
        await db.refresh_tables()
        return db

    async def schema_changed(self) -> None:
        await self.refresh_tables()

    async def refresh_tables(self) -> None:
        """Which tables have an `id` column (an INSERT into one returns the new id)."""
        rows = await self._pool.fetch(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'id'"
        )
        self._ids = frozenset(str(r["table_name"]) for r in rows)

    @property
    def closed(self) -> bool:
        return self._closed

    async def close(self) -> None:
        if self._closed:
            return
        async with self._lock:
            self._closed = True
            await self._pool.close()

    async def table_exists(self, name: str) -> bool:
        row = await self.fetch_one(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (name,),
        )
        return row is not None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgTransaction]:
        current = _active()
        if current is not None:
            yield current
            return
        async with self._lock:
            self._ensure_open()
            async with self._pool.acquire() as conn, conn.transaction():
                tx = PgTransaction(conn, self._ids)
                token = _current.set(tx)
                try:
                    yield tx
                finally:
                    tx.open = False
                    _current.reset(token)
        for callback in tx._after_commit:
            callback()

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> asyncpg.Record | None:
        current = _active()
        if current is not None:
            return await current.fetch_one(sql, params)
        self._ensure_open()
        return await self._pool.fetchrow(*_args(sql, params))

    async def fetch_all(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        current = _active()
        if current is not None:
            return await current.fetch_all(sql, params)
        self._ensure_open()
        return list(await self._pool.fetch(*_args(sql, params)))

    async def execute_script(self, script: str) -> None:
        """A migration's statements, inside the current transaction."""
        tx = _active()
        if tx is None:
            raise RuntimeError("execute_script must run inside a transaction")
        for sql in split_sql(script):
            await tx._conn.execute(dialect.schema(sql))

    def _ensure_open(self) -> None:
        if self._closed:
            raise DatabaseClosedError("the database is closed")
