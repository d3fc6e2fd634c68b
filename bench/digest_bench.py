"""The facilitators' daily digest: its time and the event loop's lag while it runs, after a
month and after a year of daily check-ins (issue 17: flat in history length, lag p99 < 20 ms).

The same server twice, each on a fresh database seeded straight into SQLite: 67 active
cohorts of 12-15 people, each person checking in most days (half the check-ins with a note,
encrypted with a data key), a PHQ-9 and a GAD-7 every week and a weekly session with
attendance marks, over `--short` and then `--long` days of history. Lantern runs against the
emulator; the digest runs as its job does (`DigestService.run`), only the posting to the
moderation log is stubbed (it is the outbox's work, not the digest's).

Measured per history length, over `--runs` runs: the digest's wall time (median), and how
late a task that sleeps 1 ms in a loop wakes up while the digest runs (p50/p99/max). Then
the ratios long/short. The digests' text is hashed (people numbered in the order created):
the same seed gives the same hash, so a change in what the digest says shows up between two
versions of the code.

    python bench/digest_bench.py [--cohorts 67] [--short 30] [--long 365] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord

from bench.common import pct
from bot.client import LanternBot
from bot.cogs import loaded_cog
from bot.crypto import generate_key
from cogs.checkins import digest as digest_module
from cogs.checkins.cog import Checkins
from emulator import Emulator
from tests.e2e.harness import Clinic, Harness, build_clinic

ZONE = "America/Chicago"
NOTES = (
    "Rough evening, called my sponsor and it helped.",
    "Slept badly but went to group. Feeling okay about it.",
    "Cravings after work again; walked it off.",
    "Good day. Cooked dinner with my sister.",
)
BANDS = {"phq9": ("minimal", "mild", "moderate"), "gad7": ("minimal", "mild", "moderate")}


@dataclass
class Figures:
    days: int
    rows: int
    seconds: list[float]
    lag_ms: list[float]
    digest_hash: str
    embeds: int
    flagged: int
    rises: int


@asynccontextmanager
async def lantern(people: int) -> AsyncIterator[tuple[Emulator, Clinic, LanternBot, list[int]]]:
    """Lantern with a data key on a fresh database, its server holding `people` members."""
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator() as emu:
            clinic = build_clinic(emu)
            ids = [emu.create_member(clinic.guild, f"p{i:04d}").user.id for i in range(people)]
            harness = Harness(emu, Path(tmp) / "bench.db")
            bot = await harness.start(data_key=generate_key(), log_level="ERROR")
            try:
                await bot.guild_configs.save(clinic.config(), bot.clock.now())
                yield emu, clinic, bot, ids
            finally:
                await harness.stop()


def sizes(cohorts: int) -> list[int]:
    rng = random.Random(17)
    return [rng.randint(12, 15) for _ in range(cohorts)]


async def seed(bot: LanternBot, guild_id: int, groups: list[list[int]], days: int) -> int:
    """`days` of history ending yesterday (local), everyone enrolled since the first day."""
    rng = random.Random(days * 1000 + 17)
    zone = ZoneInfo(ZONE)
    today = bot.clock.now().astimezone(zone).date()
    first = today - timedelta(days=days)
    joined = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    stamp = joined.isoformat()
    cipher = bot.cipher
    checkins: list[tuple[Any, ...]] = []
    assessments: list[tuple[Any, ...]] = []
    attendance: list[tuple[Any, ...]] = []
    async with bot.db.transaction() as tx:
        for n, members in enumerate(groups):
            cohort_id = await tx.execute(
                "INSERT INTO cohorts (guild_id, name, starts_on, ends_on, capacity, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
                (guild_id, f"Cohort {n:02d}", first.isoformat(), "2099-01-01", 20, stamp),
            )
            await tx.execute_many(
                "INSERT INTO enrollments (cohort_id, guild_id, user_id, status, enrolled_by, "
                "enrolled_at, consented_at) VALUES (?, ?, ?, 'active', 0, ?, ?)",
                [(cohort_id, guild_id, uid, stamp, stamp) for uid in members],
            )
            await tx.execute_many(
                "INSERT INTO checkin_settings (guild_id, user_id, local_time, timezone, days, "
                "last_due_at, updated_at, dm_closed_at) VALUES (?, ?, '09:00', ?, '0123456', "
                "?, ?, ?)",
                [
                    (guild_id, uid, ZONE, stamp, stamp, stamp if rng.random() < 0.03 else None)
                    for uid in members
                ],
            )
            series = await tx.execute(
                "INSERT INTO session_series (guild_id, cohort_id, title, kind, weekdays, "
                "start_time, duration_minutes, timezone, starts_on, ends_on, status, "
                "created_by, created_at) VALUES (?, ?, 'Group', 'group', '0', '18:00', 120, "
                "?, ?, ?, 'deleted', 0, ?)",
                (guild_id, cohort_id, ZONE, first.isoformat(), today.isoformat(), stamp),
            )
            for week in range(days // 7 + 1):
                start = joined + timedelta(days=7 * week, hours=18)
                occurrence = await tx.execute(
                    "INSERT INTO session_occurrences (series_id, guild_id, cohort_id, "
                    "original_start, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        series,
                        guild_id,
                        cohort_id,
                        start.replace(tzinfo=None).isoformat(),
                        start.isoformat(),
                        (start + timedelta(hours=2)).isoformat(),
                    ),
                )
                for uid in members:
                    status = "absent" if rng.random() < 0.15 else "present"
                    attendance.append((occurrence, guild_id, cohort_id, uid, status, stamp))
            for uid in members:
                regular = rng.random()  # some people check in nearly daily, some rarely
                scores = {"phq9": rng.randint(0, 2), "gad7": rng.randint(0, 2)}
                for offset in range(days, 0, -1):
                    day = today - timedelta(days=offset)
                    if offset % 7 == 1:  # yesterday's scores are in the digest
                        done = datetime.combine(day, datetime.min.time(), zone) + timedelta(
                            hours=10
                        )
                        for key, instrument_bands in BANDS.items():
                            scores[key] = min(2, max(0, scores[key] + rng.choice((-1, 0, 1))))
                            band = instrument_bands[scores[key]]
                            assessments.append(
                                (guild_id, uid, cohort_id, key, band, done.astimezone(UTC))
                            )
                    if rng.random() > 0.35 + 0.6 * regular:
                        continue
                    note = rng.choice(NOTES) if rng.random() < 0.5 else None
                    checkins.append(
                        (
                            guild_id,
                            uid,
                            cohort_id,
                            day.isoformat(),
                            rng.randint(1, 5),
                            rng.randint(0, 10),
                            rng.randint(4, 10),
                            rng.choice(("no", "no", "no", "yes", "skip")),
                            cipher.encrypt(note),
                            stamp,
                        )
                    )
        await tx.execute_many(
            "INSERT INTO checkins (guild_id, user_id, cohort_id, local_day, mood, cravings, "
            "sleep_hours, used, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            checkins,
        )
        await tx.execute_many(
            "INSERT INTO assessments (guild_id, user_id, cohort_id, instrument, answers, score, "
            "band, started_at, completed_at) VALUES (?, ?, ?, ?, '', "
            "CASE ? WHEN 'minimal' THEN 2 WHEN 'mild' THEN 7 ELSE 12 END, ?, ?, ?)",
            [
                (g, u, c, k, b, b, at.isoformat(), at.isoformat())
                for g, u, c, k, b, at in assessments
            ],
        )
        await tx.execute_many(
            "INSERT INTO session_attendance (occurrence_id, guild_id, cohort_id, user_id, "
            "status, marked_by, marked_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
            attendance,
        )
    return len(checkins)


async def probe(samples: list[float], stop: asyncio.Event) -> None:
    """Sleep 1 ms again and again; record how late each wake-up is (ms)."""
    while not stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(0.001)
        samples.append((time.perf_counter() - t0 - 0.001) * 1000)


async def measure(cohorts: int, days: int, runs: int, dump: str | None) -> Figures:
    groups_sizes = sizes(cohorts)
    async with lantern(sum(groups_sizes)) as (_emu, clinic, bot, ids):
        groups, at = [], 0
        for size in groups_sizes:
            groups.append(ids[at : at + size])
            at += size
        t0 = time.perf_counter()
        rows = await seed(bot, clinic.guild.id, groups, days)
        print(f"  {days} days: {rows} check-ins seeded in {time.perf_counter() - t0:.1f} s")
        cog = loaded_cog(bot, Checkins)
        assert cog is not None
        posted: list[discord.Embed] = []

        async def post_log(
            _outbox: Any, _guild: Any, _config: Any, *, embed: discord.Embed
        ) -> None:
            posted.append(embed)

        seconds: list[float] = []
        lag: list[float] = []
        for _ in range(runs):
            await bot.db.execute("DELETE FROM checkin_digests")
            posted.clear()
            samples: list[float] = []
            stop = asyncio.Event()
            prober = asyncio.create_task(probe(samples, stop))
            await asyncio.sleep(0.05)
            samples.clear()
            t0 = time.perf_counter()
            with patch.object(digest_module, "post_log", post_log):
                await cog.digests.run(clinic.guild.id, bot.clock.now())
            seconds.append(time.perf_counter() - t0)
            stop.set()
            await prober
            lag.extend(samples)
            assert len(posted) == cohorts, f"{len(posted)} digests for {cohorts} cohorts"
        text = "\n".join(f"{e.title}\n{e.description}" for e in posted)
        for n, uid in enumerate(ids):  # ids differ from run to run: hash what is said
            text = text.replace(str(uid), f"#{n}")
        digest_hash = hashlib.sha256(text.encode()).hexdigest()[:16]
        if dump is not None:
            await asyncio.to_thread(Path(f"{dump}.{days}").write_text, text)
        flagged, rises = text.count("\n• "), text.count(" up to ")
        return Figures(days, rows, seconds, lag, digest_hash, len(posted), flagged, rises)


def report(f: Figures) -> None:
    print(
        f"  {f.days:>4} days ({f.rows} check-ins): digest {statistics.median(f.seconds):.3f} s "
        f"(runs: {', '.join(f'{s:.3f}' for s in f.seconds)}); loop lag p50 "
        f"{pct(f.lag_ms, 0.5):.2f} ms, p99 {pct(f.lag_ms, 0.99):.2f} ms, "
        f"max {max(f.lag_ms):.2f} ms ({len(f.lag_ms)} samples); "
        f"{f.embeds} embeds ({f.flagged} people flagged, {f.rises} band rises), "
        f"text sha256 {f.digest_hash}"
    )


async def main(cohorts: int, short: int, long: int, runs: int, dump: str | None) -> None:
    logging.basicConfig(level=logging.ERROR)
    print(f"Daily digest, {cohorts} cohorts of 12-15 people, {runs} runs each")
    small = await measure(cohorts, short, runs, dump)
    big = await measure(cohorts, long, runs, dump)
    print("\nResults")
    report(small)
    report(big)
    ratio_time = statistics.median(big.seconds) / statistics.median(small.seconds)
    ratio_lag = pct(big.lag_ms, 0.99) / max(pct(small.lag_ms, 0.99), 1e-9)
    print(
        f"  ratios {long}/{short} days: history x{big.rows / small.rows:.1f}, "
        f"digest time x{ratio_time:.2f}, lag p99 x{ratio_lag:.2f}"
    )
    worst = max(pct(small.lag_ms, 0.99), pct(big.lag_ms, 0.99))
    print(f"  goal lag p99 < 20 ms: {'met' if worst < 20 else 'NOT met'} ({worst:.2f} ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cohorts", type=int, default=67)
    parser.add_argument("--short", type=int, default=30, help="days of history, first")
    parser.add_argument("--long", type=int, default=365, help="days of history, second")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dump", help="write the digests' text to DUMP.<days>")
    args = parser.parse_args()
    asyncio.run(main(args.cohorts, args.short, args.long, args.runs, args.dump))
