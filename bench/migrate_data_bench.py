"""`python -m bot migrate-data` throughput: a SQLite database of about 50,000 rows (a year of
a 150-person program's check-ins, encrypted notes) copied into an empty PostgreSQL database.

    source .ci/postgres   # a throwaway local server (or set LANTERN_TEST_POSTGRES yourself)
    python bench/migrate_data_bench.py [--people 150] [--days 330]

Prints rows, seconds and rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import throwaway_postgres
from bot.crypto import Cipher, generate_key
from bot.storage import Database, apply_migrations, open_database
from bot.storage.postgres import PostgresDatabase
from bot.storage.transfer import copy_database

T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


async def fill(path: Path, people: int, days: int) -> int:
    cipher = Cipher([generate_key()])
    db = await Database.open(path)
    try:
        await apply_migrations(db, T0)
        async with db.transaction() as tx:
            rows = [
                (1, 1000 + p, (T0 + timedelta(days=d)).isoformat(),
                 (T0 + timedelta(days=d)).date().isoformat(), 1 + (p + d) % 5,
                 cipher.encrypt(f"note {p}/{d}"), T0.isoformat())
                for p in range(people)
                for d in range(days)
            ]  # fmt: skip
            await tx.execute_many(
                "INSERT INTO checkin_prompts (guild_id, user_id, kind, due_at, local_day, "
                "status, mood, note, created_at) VALUES (?, ?, 'now', ?, ?, 'answered', ?, ?, ?)",
                rows,
            )
        return len(rows)
    finally:
        await db.close()


async def run(people: int, days: int) -> None:
    async with throwaway_postgres() as database:
        with tempfile.TemporaryDirectory() as tmp:
            source_path = Path(tmp) / "lantern.db"
            rows = await fill(source_path, people, days)
            source = await Database.open(source_path)
            target = await open_database(database)
            assert isinstance(target, PostgresDatabase)
            try:
                await apply_migrations(target, T0)
                began = time.perf_counter()
                copied = await copy_database(source, target)
                seconds = time.perf_counter() - began
            finally:
                await source.close()
                await target.close()
    print(
        f"migrate-data: {copied.total} rows ({rows} check-ins) in {len(copied.rows)} tables: "
        f"{seconds:.2f} s, {copied.total / seconds:,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--days", type=int, default=330)
    args = parser.parse_args()
    asyncio.run(run(args.people, args.days))


if __name__ == "__main__":
    main()
