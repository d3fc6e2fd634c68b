"""List commands on a large server: response time of `/crisis log` (120 alerts with repeats)
and `/help-now` (12 local resources at their maximum sizes), through the emulator.

The server is the large-data suite's (`tests/e2e/large_world.py`): 30 cohorts, a 50-person
cohort, names at Discord's maximum lengths. Prints p50/p95 per command, and each as a ratio
to a bare `/ping`-like baseline (`/resources list` is not used: it is staff-only and paged).

    python bench/lists_bench.py [--runs 40]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import pct
from emulator import Emulator
from tests.e2e.harness import Harness
from tests.e2e.large_world import ALERTS, RESOURCES, build_server, seed
from tests.e2e.steps.common import text

COMMANDS = {
    "crisis log": lambda w: (w.facilitator, {}),
    "crisis log member:": lambda w: (w.facilitator, {"member": w.heavy}),
    "help-now": lambda w: (w.last, {}),
    "milestone show": lambda w: (w.last, {}),
}


async def run(runs: int) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator() as emu:
            world = build_server(emu)
            harness = Harness(emu, Path(tmp) / "bench.db")
            bot = await harness.start()
            try:
                await seed(bot, world, emu)
                print(f"{ALERTS} alerts, {RESOURCES} local resources, {runs} runs each")
                medians: dict[str, float] = {}
                for name, setup in COMMANDS.items():
                    who, options = setup(world)
                    command = name.removesuffix(" member:")
                    times = []
                    for _ in range(runs):
                        started = time.perf_counter()
                        result = await emu.invoke(who, world.general, command, **options)
                        times.append((time.perf_counter() - started) * 1000)
                        if result.kind == "none" or "Something went wrong" in text(result):
                            raise SystemExit(f"/{name} did not answer properly")
                    medians[name] = statistics.median(times)
                    print(
                        f"/{name:<20} p50 {medians[name]:6.1f} ms  p95 {pct(times, 0.95):6.1f} ms"
                    )
                base = medians["milestone show"]
                for name in ("crisis log", "crisis log member:", "help-now"):
                    print(f"/{name:<20} {medians[name] / base:4.1f}x a one-line answer")
            finally:
                await harness.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(run(args.runs))


if __name__ == "__main__":
    main()
