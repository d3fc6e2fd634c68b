"""Cohort figures against the emulator with Discord's rate limits ON.

1. Create a cohort and enrol 15 people (each agrees): REST calls by route, 429s, wall time.
2. Enrol 500 people across 34 cohorts, agreements answered concurrently in waves: no 429
   failure, nothing dropped (every enrolment active, every role given). Rate-limit windows
   are shortened `--scale` times (same limits, same shape) so this runs in seconds; the
   wall time multiplied by the scale is what real Discord would take at worst.

    python bench/cohorts_bench.py [--people 500] [--scale 50]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator import Emulator
from emulator.ratelimit import ROUTE_LIMITS
from tests.e2e.harness import Harness, build_clinic
from tests.e2e.steps.common import button_ids


async def agree_all(emu: Emulator, members: list, wave: int = 50) -> None:  # type: ignore[type-arg]
    async def one(member) -> None:  # type: ignore[no-untyped-def]
        message = next(m for m in reversed(emu.dms(member)) if button_ids(m))
        agree = next(c for c in button_ids(message) if ":agree:" in c)
        res = await emu.click(member, message, agree, within=120)
        await res.wait_for_edit(timeout=120)

    for i in range(0, len(members), wave):
        await asyncio.gather(*(one(m) for m in members[i : i + wave]))


def route_table(emu: Emulator, since: int) -> str:
    counts = Counter(f"{r.method} {r.route}" for r in emu.requests[since:])
    return "\n".join(f"    {n:5d}  {route}" for route, n in counts.most_common())


async def run(people: int, scale: float) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        # --- 1: one cohort, 15 people, real rate limits ---------------------------------
        async with Emulator(rate_limits=True) as emu:
            clinic = build_clinic(emu)
            harness = Harness(emu, Path(tmp) / "a.db")
            bot = await harness.start()
            await bot.guild_configs.save(clinic.config(), bot.clock.now())
            members = [emu.create_member(clinic.guild, f"p{i:02d}") for i in range(15)]
            start_requests = len(emu.requests)
            t0 = time.perf_counter()
            await emu.invoke(
                clinic.alice,
                clinic.general,
                "cohort create",
                name="Bench",
                start="2026-03-02",
                end="2026-05-22",
                within=60,
            )
            for member in members:
                await emu.invoke(
                    clinic.alice,
                    clinic.general,
                    "cohort enroll",
                    member=member,
                    cohort="Bench",
                    within=60,
                )
            enrolled_at = time.perf_counter()
            await agree_all(emu, members)
            elapsed = time.perf_counter() - t0
            active = await bot.db.fetch_one(
                "SELECT COUNT(*) FROM enrollments WHERE status = 'active'"
            )
            print("1. create a cohort + enrol 15 people (real Discord rate limits)")
            print(f"  wall time: {elapsed:.1f} s (create + 15 enrols {enrolled_at - t0:.1f} s)")
            print(f"  REST requests: {len(emu.requests) - start_requests}")
            print(
                "  429 responses (retried by discord.py): "
                f"{sum(r.status == 429 for r in emu.requests)}"
            )
            print(f"  active enrolments: {active[0] if active else 0}/15")
            print("  requests by route:\n" + route_table(emu, start_requests))
            await harness.stop()

        # --- 2: 500 people across cohorts, windows shortened `scale` times ---------------
        async with Emulator(rate_limits=True) as emu:
            for route, limit in ROUTE_LIMITS.items():
                emu.ratelimits.configure(route, limit.limit, limit.per / scale)
            emu.ratelimits.configure_global(50, 1.0 / scale)
            clinic = build_clinic(emu)
            harness = Harness(emu, Path(tmp) / "b.db")
            bot = await harness.start()
            await bot.guild_configs.save(clinic.config(), bot.clock.now())
            cohorts = (people + 14) // 15
            members = [emu.create_member(clinic.guild, f"m{i:03d}") for i in range(people)]
            t0 = time.perf_counter()
            for c in range(cohorts):
                await emu.invoke(
                    clinic.alice,
                    clinic.general,
                    "cohort create",
                    name=f"C{c:02d}",
                    start="2026-03-02",
                    end="2026-05-22",
                    within=120,
                )
            for i, member in enumerate(members):
                await emu.invoke(
                    clinic.alice,
                    clinic.general,
                    "cohort enroll",
                    member=member,
                    cohort=f"C{i // 15:02d}",
                    within=120,
                )
            await agree_all(emu, members)
            elapsed = time.perf_counter() - t0
            row = await bot.db.fetch_one("SELECT COUNT(*) FROM enrollments WHERE status = 'active'")
            with_role = sum(
                1
                for m in members
                if any(
                    clinic.guild.roles[r].name.startswith("Cohort · ")
                    for r in emu.member(clinic.guild, m).roles
                )
            )
            failed = [r for r in emu.requests if r.status >= 400 and r.status != 429]
            print(f"\n2. enrol {people} people across {cohorts} cohorts (windows / {scale:g})")
            print(
                f"  wall time: {elapsed:.1f} s (x{scale:g} = {elapsed * scale / 60:.0f} min "
                "worst case on real Discord)"
            )
            print(
                f"  REST requests: {len(emu.requests)}, 429s retried: "
                f"{sum(r.status == 429 for r in emu.requests)}, failed requests: {len(failed)}"
            )
            print(
                f"  active enrolments: {row[0] if row else 0}/{people}, "
                f"members with their cohort role: {with_role}/{people}"
            )
            print(f"  throughput: {people / elapsed:.1f} enrolments+consents per second")
            await harness.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--scale", type=float, default=50.0)
    args = parser.parse_args()
    asyncio.run(run(args.people, args.scale))


if __name__ == "__main__":
    main()
