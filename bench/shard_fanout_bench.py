"""The check-in fan-out across processes (issue 19): N prompts due at the same moment over
4 servers (one per shard), delivered by 2 `python -m bot run` processes of 2 shards each on
one PostgreSQL database, against the emulator with Discord's rate limits on (the global 50
requests/s is per bot token: both processes share it). Prints the time from the due moment
to the last prompt over the floor N / 50 per second, and the people with no prompt (drops) or
more than one (duplicates).

    source .ci/postgres        # a throwaway local server (sets LANTERN_TEST_POSTGRES)
    python bench/shard_fanout_bench.py [--people 5000] [--first-day]

By default Lantern already knows each person's DM channel (any day after the first): one
request per prompt. --first-day measures the very first fan-out, where each prompt first
opens the DM channel (two requests per prompt, so its floor is twice N / 50 per second).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import throwaway_postgres
from emulator import Emulator
from tests.process.harness import BotProcesses
from tests.process.kill9 import prompt_counts
from tests.process.shards import COUNT, HOME, clinics_with_checkins, spawn

GLOBAL_RATE = 50.0


async def run(people: int, first_day: bool) -> None:
    async with throwaway_postgres() as database:
        with tempfile.TemporaryDirectory() as tmp:
            async with Emulator(rate_limits=True) as emu:
                fleet = BotProcesses(emu, Path(tmp))
                try:
                    await measure(emu, fleet, database, people, first_day)
                finally:
                    await fleet.close()


async def measure(
    emu: Emulator, fleet: BotProcesses, database: str, people: int, first_day: bool
) -> None:
    per_clinic = people // COUNT
    _, groups, due = await clinics_with_checkins(
        emu, database, per_clinic, lead=25.0, known_dms=not first_day
    )
    everyone = [m.id for group in groups.values() for m in group]
    a, b = spawn(fleet, database, HOME["a"]), spawn(fleet, database, HOME["b"])
    await asyncio.gather(a.start(), b.start())
    await asyncio.gather(a.wait_ready(60), b.wait_ready(60))
    ready_before_due = (due - datetime.now(UTC)).total_seconds()
    floor = len(everyone) / GLOBAL_RATE
    await emu.wait_for(
        lambda: len(prompt_counts(emu)) >= len(everyone), floor * 3 + 120, what="every prompt"
    )
    last = (datetime.now(UTC) - due).total_seconds()
    counts = prompt_counts(emu)
    lost = sum(1 for p in everyone if counts.get(p, 0) == 0)
    duplicated = sum(counts.get(p, 0) - 1 for p in everyone if counts.get(p, 0) > 1)
    limited = emu.count("POST /channels/{channel_id}/messages", status=429)
    started = time.monotonic()
    await asyncio.gather(a.terminate(), b.terminate())
    print(
        f"fan-out: {len(everyone)} prompts over {COUNT} shards, 2 processes x 2 shards, "
        f"PostgreSQL, {'first day (DM channels opened)' if first_day else 'DM channels known'}"
        f"; both ready {ready_before_due:.1f} s before the due time\n"
        f"  time to the last prompt {last:.1f} s; floor N / 50 per s = {floor:.1f} s; "
        f"ratio {last / floor:.2f}\n"
        f"  drops {lost}, duplicates {duplicated}; 429s on message sends {limited}; "
        f"clean stop of both {time.monotonic() - started:.1f} s"
    )
    errors = fleet.unexpected_errors()
    print(f"  ERROR records: {len(errors)}")
    for process, line in errors[:5]:
        print(f"    {process.name}: {line.text[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--first-day", action="store_true", help="DM channels not known yet")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.first_day))


if __name__ == "__main__":
    main()
