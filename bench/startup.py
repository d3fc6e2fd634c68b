"""Start-up costs: `python -m bot check-config` and migrating an empty database.

Prints medians and the ratio to a bare `python -c pass` (machines here are noisy; the ratio
travels better than milliseconds). Run: python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.crypto import generate_key
from bot.storage import Database, apply_migrations

FAKE_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.ghijkl"


def time_command(args: list[str], runs: int, cwd: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env["LANTERN_DISCORD_TOKEN"] = FAKE_TOKEN
    # A throwaway key and database: check-config refuses to pass without a data key, and a
    # fresh checkout has none (nor should a bench touch a real one).
    env["LANTERN_DATA_KEY"] = generate_key()
    env["LANTERN_DATABASE"] = str(Path(cwd) / "bench.db")
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def time_migrate(runs: int, folder: Path) -> float:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        db = await Database.open(folder / f"m{i}.db")
        await apply_migrations(db, datetime.now(UTC))
        await db.close()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        bare = time_command([sys.executable, "-c", "pass"], runs, tmp)
        check = time_command([sys.executable, "-m", "bot", "check-config"], runs, tmp)
        migrate = asyncio.run(time_migrate(runs * 3, Path(tmp)))
    print(f"python -c pass          median {bare * 1000:7.1f} ms")
    print(
        f"check-config            median {check * 1000:7.1f} ms  ({check / bare:.1f}x bare python)"
    )
    print(f"migrate empty database  median {migrate * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
