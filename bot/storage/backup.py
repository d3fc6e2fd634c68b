"""A consistent copy of the live database with SQLite's online backup API: safe while the
bot is running and writing (WAL mode), without stopping it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def backup_database(source: Path, target: Path, pages_per_step: int = 4096) -> tuple[int, float]:
    """Copy `source` to `target`; returns (pages copied, seconds). Copies in steps so the
    running bot's writes are only briefly held up; SQLite restarts the copy if a step sees
    a change, so the result is one consistent snapshot."""
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    copied = 0

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal copied
        copied = total

    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=pages_per_step, progress=progress)
    finally:
        dst.close()
        src.close()
    return copied, time.perf_counter() - started
