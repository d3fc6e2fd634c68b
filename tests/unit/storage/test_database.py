import asyncio
import contextlib
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.database import DatabaseClosedError


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite always: these tests read SQLite's own schema and settings."""
    return str(tmp_path / "lantern.db")


async def test_database_uses_wal_and_foreign_keys(db: Database) -> None:
    assert (await db.fetch_one("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.fetch_one("PRAGMA foreign_keys"))[0] == 1


async def test_transaction_rolls_back_every_statement_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO app_state VALUES ('a', '1', 't')")
            await tx.execute("INSERT INTO app_state VALUES ('b', '2', 't')")
            raise RuntimeError("boom")
    assert await db.fetch_all("SELECT * FROM app_state") == []


async def test_concurrent_transactions_do_not_see_each_others_uncommitted_rows(
    db: Database,
) -> None:
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO app_state VALUES ('k', 'v', 't')")
            inside.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await inside.wait()
    reader = asyncio.create_task(db.fetch_all("SELECT * FROM app_state"))
    await asyncio.sleep(0)  # let the reader queue behind the writer's lock
    assert not reader.done()
    release.set()
    await task
    assert len(await reader) == 1


async def test_nested_transaction_joins_the_outer_one(db: Database) -> None:
    with pytest.raises(ValueError):
        async with db.transaction() as outer:
            await outer.execute("INSERT INTO app_state VALUES ('a', '1', 't')")
            async with db.transaction() as inner:
                assert inner is outer
                await inner.execute("INSERT INTO app_state VALUES ('b', '1', 't')")
            assert len(await db.fetch_all("SELECT * FROM app_state")) == 2
            raise ValueError
    assert await db.fetch_all("SELECT * FROM app_state") == []


async def test_close_waits_for_the_write_in_flight(db: Database) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO app_state VALUES ('k', 'v', 't')")
            started.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await started.wait()
    closing = asyncio.create_task(db.close())
    await asyncio.sleep(0)
    assert not closing.done()
    release.set()
    await asyncio.gather(task, closing)
    reopened = await Database.open(db.path)
    assert len(await reopened.fetch_all("SELECT * FROM app_state")) == 1
    await reopened.close()


async def test_closed_database_refuses_work(db: Database) -> None:
    await db.close()
    with pytest.raises(DatabaseClosedError):
        await db.fetch_one("SELECT 1")
    await db.close()  # twice is fine


async def test_a_transaction_cancelled_while_beginning_leaves_none_open(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = await Database.open(tmp_path / "t.db")
    await db.execute("CREATE TABLE t (x INTEGER)")
    for _ in range(20):  # cancel at various points of BEGIN / the body
        task = asyncio.create_task(db.execute("INSERT INTO t VALUES (1)"))
        await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await db.execute("INSERT INTO t VALUES (2)")  # raised "within a transaction" before
    row = await db.fetch_one("SELECT COUNT(*) FROM t WHERE x = 2")
    assert row is not None and row[0] == 20
    await db.close()
