"""Session figures: 1,000 cohorts with 3 series each, through the emulator.

1. Cold start: the database holds 3,000 series and nothing planned yet; Lantern starts,
   creates four weeks of occurrences and their reminder rows, and arms its jobs.
2. Warm restart: what every restart pays (everything is rebuilt from the database; the
   scheduler holds 2 session jobs however many cohorts there are), and the rebuild alone.
3. Memory: resident set size (VmRSS) before and after.
4. Downtime: the clock jumps 7 hours; the 1,000 reminders that fell due meanwhile are
   skipped (not sent late) in one wake-up.
5. Lateness of 1,000 reminders due at the same instant (every cohort's Monday 18:00 CST
   session, 1 hour before): due time -> message stored by the emulator, p50/p99/max, with
   rate limits off (Lantern's own overhead) and then on (Discord's 50 requests/s global
   limit is what bounds a burst like this: ~20 s for 1,000 posts).

    python bench/sessions_bench.py [--cohorts 1000] [--guilds 10] [--no-rate-limited]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import time_machine

from bot.client import LanternBot
from bot.permissions import required_permissions
from bot.storage import Database, apply_migrations
from cogs.sessions.cog import Sessions
from cogs.sessions.recurrence import Rule
from cogs.sessions.reminder_store import ReminderStore
from cogs.sessions.store import SessionStore
from emulator import Emulator
from emulator.model import Channel, Message
from tests.e2e.harness import Harness

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday, 09:00 in Chicago
ZONE = "America/Chicago"
SERIES = (  # (weekdays, time, minutes): a typical IOP week
    ((0, 2, 3), clock(18), 180),  # group therapy Mon/Wed/Thu 18:00-21:00
    ((1,), clock(10), 90),  # skills Tuesday morning
    ((4,), clock(13), 60),  # family session Friday
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def seed(emu: Emulator, path: Path, cohorts: int, guilds: int) -> dict[int, Channel]:
    """Guilds, one #announcements per cohort, cohorts and series straight into the database
    (creating them through /cohort create would benchmark the cohort feature instead)."""
    perms = required_permissions()
    # No event permissions: this measures reminders, not 9,000 event creations.
    perms.manage_events = perms.create_events = False
    world_guilds = [emu.create_guild(f"IOP {g}", bot_permissions=perms) for g in range(guilds)]
    db = await Database.open(path)
    await apply_migrations(db, START)
    store = SessionStore(db)
    channels: dict[int, Channel] = {}
    async with db.transaction() as tx:
        for n in range(cohorts):
            guild = world_guilds[n % guilds]
            channel = emu.create_channel(guild, f"announcements-{n}")
            cohort_id = await tx.execute(
                "INSERT INTO cohorts (guild_id, name, starts_on, ends_on, capacity, "
                "announcements_channel_id, created_by, created_at) VALUES (?, ?, ?, ?, 15, ?, "
                "1, ?)",
                (
                    guild.id,
                    f"Cohort {n}",
                    "2026-03-02",
                    "2026-05-22",
                    channel.id,
                    START.isoformat(),
                ),
            )
            channels[channel.id] = channel
            for days, at, minutes in SERIES:
                rule = Rule(days, at, minutes, ZONE, date(2026, 3, 2), date(2026, 5, 22))
                await store.add_series(
                    tx, guild_id=guild.id, cohort_id=cohort_id, title="Session", kind="group",
                    rule=rule, location=None, link=None, by=1, now=START,
                )  # fmt: skip
    await db.close()
    return channels


async def burst(
    emu: Emulator,
    bot: LanternBot,
    travel: time_machine.Traveller,
    channels: dict[int, Channel],
    due: datetime,
    expected: int,
) -> tuple[list[float], float]:
    """Move to just before `due`, let the scheduler fire, and time every post."""
    before = {cid: len(emu.messages_in(c)) for cid, c in channels.items()}
    travel.move_to(due - timedelta(seconds=0.5))
    bot.scheduler.wakeup()

    def arrived() -> list[Message]:
        return [
            m
            for cid, c in channels.items()
            for m in emu.messages_in(c)[before[cid] :]
            if m.author.id == emu.bot_user_id
        ]

    started = time.perf_counter()
    await emu.wait_for(lambda: len(arrived()) >= expected, timeout=120)
    wall = time.perf_counter() - started
    lateness = [((m.timestamp or due) - due).total_seconds() for m in arrived()]
    return lateness, wall


def report_lateness(label: str, lateness: list[float], wall: float) -> None:
    print(
        f"  {label}: {len(lateness)} posts · lateness p50 {pct(lateness, 0.5) * 1000:.0f} ms, "
        f"p99 {pct(lateness, 0.99) * 1000:.0f} ms, max {max(lateness) * 1000:.0f} ms · "
        f"{len(lateness) / max(wall, 1e-9):.0f} posts/s"
    )


async def run(cohorts: int, guilds: int, rate_limited: bool) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp, time_machine.travel(START, tick=True) as travel:
        path = Path(tmp) / "bench.db"
        async with Emulator() as emu:
            rss0 = rss_mb()
            channels = await seed(emu, path, cohorts, guilds)
            harness = Harness(emu, path)
            print(f"{cohorts} cohorts x {len(SERIES)} series in {guilds} servers ({ZONE})")

            started = time.perf_counter()
            bot = await harness.start()
            cold = time.perf_counter() - started
            rss_cold = rss_mb()
            row = await bot.db.fetch_one("SELECT COUNT(*) AS n FROM session_occurrences")
            occurrences = row["n"] if row else 0
            counts = await ReminderStore(bot.db).reminder_counts()
            print("start-up")
            print(
                f"  cold (plans everything): {cold * 1000:.0f} ms to ready · {occurrences} "
                f"occurrences, {counts.get('pending', 0)} reminders planned "
                f"({occurrences / cold:.0f} occurrences/s)"
            )

            started = time.perf_counter()
            bot = await harness.restart()
            warm = time.perf_counter() - started
            cog = bot.get_cog("Sessions")
            assert isinstance(cog, Sessions)
            samples = []
            for _ in range(5):
                t0 = time.perf_counter()
                await cog.rebuild()
                samples.append(time.perf_counter() - t0)
            jobs = [j.id for j in bot.scheduler.jobs("sessions:")]
            print(
                f"  warm restart: {warm * 1000:.0f} ms to ready · rebuild of all session jobs "
                f"alone {statistics.median(samples) * 1000:.1f} ms (median of 5) · "
                f"{len(jobs)} scheduler jobs for {cohorts * len(SERIES)} series"
            )
            print("memory")
            print(
                f"  VmRSS {rss0:.0f} MB before, {rss_cold:.0f} MB after the cold start, "
                f"{rss_mb():.0f} MB now ({(rss_mb() - rss0) * 1024 / cohorts:.0f} KB per cohort "
                "incl. the emulator's world)"
            )

            # Monday 16:00 UTC: 24 h before Tuesday's skills group. Jump past it (downtime).
            travel.move_to(datetime(2026, 3, 2, 22, 59, tzinfo=UTC))
            t0 = time.perf_counter()
            await cog.ctx.sender.send_due()
            skipped = (await ReminderStore(bot.db).reminder_counts()).get("skipped", 0)
            print("downtime")
            print(
                f"  {skipped} reminders fell due while down: skipped, none sent late "
                f"({(time.perf_counter() - t0) * 1000:.0f} ms)"
            )

            print("reminders due together (every cohort's Monday 18:00 CST, 1 h before)")
            lateness, wall = await burst(
                emu, bot, travel, channels, datetime(2026, 3, 2, 23, 0, tzinfo=UTC), cohorts
            )
            report_lateness("rate limits off", lateness, wall)
            if rate_limited:
                emu.ratelimits.enabled = True
                # Tuesday 10:00 CST skills, 1 h before: 15:00 UTC, again all at once.
                lateness, wall = await burst(
                    emu, bot, travel, channels, datetime(2026, 3, 3, 15, 0, tzinfo=UTC), cohorts
                )
                report_lateness("rate limits on ", lateness, wall)
                retried = sum(1 for r in emu.requests if r.status == 429)
                print(f"  429s answered by the emulator and retried by discord.py: {retried}")
            final = await ReminderStore(bot.db).reminder_counts()
            print(f"reminder rows: {dict(sorted(final.items()))}")
            await harness.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", type=int, default=1000)
    parser.add_argument("--guilds", type=int, default=10)
    parser.add_argument("--no-rate-limited", dest="rate_limited", action="store_false")
    args = parser.parse_args()
    asyncio.run(run(args.cohorts, args.guilds, args.rate_limited))


if __name__ == "__main__":
    main()
