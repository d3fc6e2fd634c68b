"""Check-in prompt figures: N participants whose prompts fall due at the same minute,
delivered through the emulator with Discord's rate limits ON.

Reported per round: every prompt delivered, none twice, 429s seen, the time from the jobs
firing to the last delivery as a ratio of the theoretical minimum (the REST requests the
round needed at Discord's global 50 requests/s), the outbox's counts and the memory held.

Round 1 is the first prompt (each person's DM channel must be opened: 2 requests each);
round 2 is the next occurrence (the DM channel id is saved: 1 request each).

Rate-limit windows are shortened `--scale` times (same limits, same shape), and the bot's
pacer is told the same scale, so 5,000 people run in well under a minute; the ratio does
not depend on the scale.

    python bench/checkins_bench.py [--people 5000] [--scale 2.5]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.client import LanternBot
from bot.cogs import loaded_cog
from bot.outbox import DEFAULT_RATE
from cogs.checkins.cog import Checkins
from emulator import Emulator
from emulator.ratelimit import ROUTE_LIMITS
from tests.e2e.harness import Harness, build_clinic

GLOBAL_LIMIT = 50.0


def rss_mb() -> float:
    """Resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def seed(bot: LanternBot, guild_id: int, user_ids: list[int], due: datetime) -> None:
    """A cohort with everyone enrolled and opted in at the same local time (UTC here)."""
    now = bot.clock.now().isoformat()
    async with bot.db.transaction() as tx:
        cohort_id = await tx.execute(
            "INSERT INTO cohorts (guild_id, name, starts_on, ends_on, capacity, created_by, "
            "created_at) VALUES (?, 'Bench', '2026-01-01', '2026-12-31', ?, 0, ?)",
            (guild_id, len(user_ids), now),
        )
        await tx.execute_many(
            "INSERT INTO enrollments (cohort_id, guild_id, user_id, status, enrolled_by, "
            "enrolled_at, consented_at) VALUES (?, ?, ?, 'active', 0, ?, ?)",
            [(cohort_id, guild_id, uid, now, now) for uid in user_ids],
        )
        await tx.execute_many(
            "INSERT INTO checkin_settings (guild_id, user_id, local_time, timezone, days, "
            "last_due_at, updated_at) VALUES (?, ?, ?, 'UTC', '0123456', ?, ?)",
            [
                (guild_id, uid, f"{due:%H:%M}", (due - timedelta(days=1)).isoformat(), now)
                for uid in user_ids
            ],
        )


async def move_prompt_time(bot: LanternBot, due: datetime) -> None:
    await bot.db.execute("UPDATE checkin_settings SET local_time = ?", (f"{due:%H:%M}",))


async def run_round(
    emu: Emulator, bot: LanternBot, label: str, people: int, scale: float, due: datetime
) -> dict[str, float]:
    cog = loaded_cog(bot, Checkins)
    assert cog is not None
    prompts = cog.prompts
    since = len(emu.requests)
    rss_before = rss_mb()
    t0 = time.perf_counter()
    await prompts.rebuild()  # every job is due now: they fire together
    await asyncio.sleep(0.05)  # let APScheduler hand the jobs to the event loop
    executor = bot.scheduler._aps._lookup_executor("default")  # type: ignore[attr-defined]
    while pending := [f for f in executor._pending_futures if not f.done()]:
        await asyncio.wait(pending)  # the claims: each hands its prompt to the outbox
    await bot.outbox.settled(timeout=600)
    elapsed = time.perf_counter() - t0
    rss_after = rss_mb()
    records = emu.requests[since:]
    ok = [r for r in records if r.status < 400]
    throttled = sum(r.status == 429 for r in records)
    failed = [r for r in records if r.status >= 400 and r.status != 429]
    by_route = Counter(f"{r.method} {r.route}" for r in ok)
    sent = await bot.db.fetch_one(
        "SELECT COUNT(*) FROM checkin_prompts WHERE due_at = ? AND sent_at IS NOT NULL",
        (due.isoformat(),),
    )
    delivered = sent[0] if sent else 0
    per_channel = Counter(
        r.path for r in ok if r.method == "POST" and r.route == "/channels/{channel_id}/messages"
    )
    twice = sum(1 for n in per_channel.values() if n > 1)
    minimum = len(ok) / (GLOBAL_LIMIT * scale)
    print(f"\n{label}")
    print(f"  prompts delivered: {delivered}/{people}, delivered twice: {twice}")
    print(f"  REST requests: {len(ok)} ok, 429s seen: {throttled}, failed: {len(failed)}")
    for route, n in by_route.most_common():
        print(f"    {n:6d}  {route}")
    print(
        f"  time to last delivery: {elapsed:.2f} s (x{scale:g} = {elapsed * scale:.0f} s on "
        f"real Discord); theoretical minimum at 50 req/s: {minimum:.2f} s "
        f"-> ratio {elapsed / minimum:.3f}"
    )
    print(
        f"  outbox: {bot.outbox.stats.sent} sent, {bot.outbox.stats.retried} retried; "
        f"process RSS {rss_before:.0f} -> {rss_after:.0f} MB"
    )
    return {"ratio": elapsed / minimum, "delivered": delivered, "twice": twice}


async def run(people: int, scale: float) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator(rate_limits=True, record_member_events=False) as emu:
            for route, limit in ROUTE_LIMITS.items():
                emu.ratelimits.configure(route, limit.limit, limit.per / scale)
            emu.ratelimits.default_limit = type(emu.ratelimits.default_limit)(
                emu.ratelimits.default_limit.limit, emu.ratelimits.default_limit.per / scale
            )
            emu.ratelimits.configure_global(int(GLOBAL_LIMIT), 1.0 / scale)
            clinic = build_clinic(emu)
            t0 = time.perf_counter()
            members = [emu.create_member(clinic.guild, f"p{i:05d}") for i in range(people)]
            print(f"{people} members created in {time.perf_counter() - t0:.1f} s")
            harness = Harness(emu, Path(tmp) / "bench.db")
            bot = await harness.start()
            await bot.guild_configs.save(clinic.config(), bot.clock.now())
            assert loaded_cog(bot, Checkins) is not None
            bot.outbox.pacer.rate = DEFAULT_RATE * scale
            now = datetime.now(UTC).replace(second=0, microsecond=0)
            first, second = now - timedelta(minutes=2), now - timedelta(minutes=1)
            await seed(bot, clinic.guild.id, [m.user.id for m in members], first)
            print(f"baseline RSS with {people} members and the bot: {rss_mb():.0f} MB")
            await run_round(
                emu,
                bot,
                f"1. first prompt, {people} people due at the same minute",
                people,
                scale,
                first,
            )
            await move_prompt_time(bot, second)
            await run_round(
                emu, bot, "2. next occurrence (DM channels already known)", people, scale, second
            )
            await harness.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=2.5)
    args = parser.parse_args()
    asyncio.run(run(args.people, args.scale))


if __name__ == "__main__":
    main()
