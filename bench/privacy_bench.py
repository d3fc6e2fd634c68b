"""Privacy figures:

1. `/mydata delete` (the one transaction behind it) and `/mydata export` for a person with
   two years of daily check-ins (730 check-ins and prompts, notes included), among 200 others.
2. The cost of encryption on the check-in path: saving a check-in with a note through
   `PromptStore.set_draft` + `RecordStore.submit`, with and without a data key (ratio).
3. `python -m bot backup` of a 100 MB database (MB/s).

    python bench/privacy_bench.py [--backup-mb 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.crypto import PLAINTEXT, Cipher, generate_key
from bot.personal_data import delete_person, export_person
from bot.storage import Database, apply_migrations
from bot.storage.backup import backup_database
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.record_store import RecordStore

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NOTE = "slept badly, cravings after work, called my sponsor and went for a walk instead"


async def fill(db: Database, cipher: Cipher, people: int, days: int) -> None:
    rows_c, rows_p = [], []
    for user in range(1, people + 1):
        for d in range(days):
            day = (NOW - timedelta(days=d)).date().isoformat()
            note = cipher.encrypt(NOTE)
            when = (NOW - timedelta(days=d)).isoformat()
            rows_p.append((1, user, when, day, "answered", 3, 4, 7, "no", note, when))
            rows_c.append((1, user, 1, day, 3, 4, 7, "no", note, when))
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO checkin_prompts (guild_id, user_id, kind, due_at, local_day, status, "
            "mood, cravings, sleep_hours, used, note, created_at) "
            "VALUES (?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_p,
        )
        await tx.execute_many(
            "INSERT INTO checkins (guild_id, user_id, cohort_id, local_day, mood, cravings, "
            "sleep_hours, used, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_c,
        )


async def bench_delete(tmp: Path) -> None:
    cipher = Cipher([generate_key()])
    db = await Database.open(tmp / "delete.db")
    await apply_migrations(db, NOW)
    await fill(db, cipher, people=201, days=730)
    t0 = time.perf_counter()
    data = await export_person(db, cipher, 1, 7)
    export_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    async with db.transaction() as tx:
        counts = await delete_person(tx, 1, 7)
    delete_s = time.perf_counter() - t0
    await db.close()
    rows = sum(len(v) for v in data.values())
    print("1. a person with two years of daily check-ins (201 people in the database)")
    print(f"   /mydata export: {rows} rows decrypted in {export_s * 1000:.0f} ms")
    print(
        f"   /mydata delete: {sum(counts.values())} rows in one transaction, "
        f"{delete_s * 1000:.0f} ms"
    )


async def bench_encryption(tmp: Path, rounds: int = 400) -> None:
    """Both variants in alternation, so machine noise hits them alike."""
    variants = {"no key": PLAINTEXT, "with key": Cipher([generate_key()])}
    stores, timings = {}, {label: [] for label in variants}
    records: dict[str, RecordStore] = {}
    for label, cipher in variants.items():
        db = await Database.open(tmp / f"enc-{label.replace(' ', '')}.db")
        await apply_migrations(db, NOW)
        stores[label] = PromptStore(db, cipher)
        records[label] = RecordStore(db, cipher)
    for i in range(rounds):
        when = NOW + timedelta(days=i)
        for label, store in stores.items():
            prompt_id = await store.db.execute(
                "INSERT INTO checkin_prompts (guild_id, user_id, kind, due_at, local_day, "
                "status, created_at) VALUES (1, 1, 'now', ?, ?, 'sent', ?)",
                (when.isoformat(), when.date().isoformat(), when.isoformat()),
            )
            t0 = time.perf_counter()
            await store.set_draft(prompt_id, "mood", 3)
            await store.set_draft(prompt_id, "note", NOTE)
            prompt = await store.prompt(prompt_id)
            assert prompt is not None
            await records[label].submit(prompt, cohort_id=None, replace=False, now=when)
            timings[label].append(time.perf_counter() - t0)
    for store in stores.values():
        await store.db.close()
    plain, enc = (statistics.median(timings[k][40:]) for k in ("no key", "with key"))
    print(f"2. saving a check-in with a note (draft + submit), median of {rounds}, alternating")
    print(
        f"   no key {plain * 1000:.2f} ms, with key {enc * 1000:.2f} ms -> ratio {enc / plain:.2f}"
    )


async def bench_backup(tmp: Path, megabytes: int) -> None:
    source = tmp / "big.db"
    db = await Database.open(source)
    await apply_migrations(db, NOW)
    cipher = Cipher([generate_key()])
    days = 365
    while source.stat().st_size < megabytes * 1_000_000:
        offset = source.stat().st_size
        people = max(50, (megabytes * 1_000_000 - offset) // (days * 600) + 1)
        base = await db.fetch_one("SELECT COALESCE(MAX(user_id), 0) FROM checkins")
        start = int(base[0]) if base else 0
        rows = []
        for user in range(start + 1, start + int(people) + 1):
            for d in range(days):
                day = (NOW - timedelta(days=d)).date().isoformat()
                rows.append((1, user, 1, day, 3, 4, 7, "no", cipher.encrypt(NOTE), day))
        async with db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO checkins (guild_id, user_id, cohort_id, local_day, mood, cravings, "
                "sleep_hours, used, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        await db.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")  # outside a transaction
    size = source.stat().st_size / 1_000_000
    # The bot keeps writing while the backup runs, as in production.
    stop = asyncio.Event()

    async def writer() -> int:
        n = 0
        while not stop.is_set():
            await db.execute(
                "INSERT INTO app_state (key, value, updated_at) VALUES (?, 'x', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"bench:{n % 10}", NOW.isoformat()),
            )
            n += 1
            await asyncio.sleep(0)
        return n

    task = asyncio.create_task(writer())
    target = tmp / "copy.db"
    pages, seconds = await asyncio.to_thread(backup_database, source, target)
    stop.set()
    writes = await task
    await db.close()
    print(f"3. backup of a {size:.0f} MB database while the bot writes ({writes} writes meanwhile)")
    print(f"   {seconds:.2f} s, {size / seconds:.0f} MB/s ({pages} pages)")


async def main(backup_mb: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench_delete(Path(tmp))
        await bench_encryption(Path(tmp))
        await bench_backup(Path(tmp), backup_mb)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backup-mb", type=int, default=100)
    asyncio.run(main(parser.parse_args().backup_mb))
