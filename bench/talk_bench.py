"""Private conversations through the emulator: what one `/talk` costs and how fast
facilitators hear of it.

For each of N participants (one at a time, so the figure is latency, not queueing): open the
/talk form, submit it, and time submit -> the staff notice in the escalation channel. Also
counts the REST calls and messages each opening makes. The first opening also creates the
`#talk-to-a-facilitator` channel, so it is reported on its own.

    python bench/talk_bench.py [--people 40] [--rate-limits]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import pct
from emulator import Emulator
from tests.e2e.harness import Harness, build_clinic


def notices(emu: Emulator, channel: object) -> int:
    return sum(
        1
        for m in emu.messages_in(channel)  # type: ignore[arg-type]
        if m.embeds and m.embeds[0].get("title", "").startswith("Conversation #")
    )


async def run(people: int, rate_limits: bool) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator(rate_limits=rate_limits) as emu:
            clinic = build_clinic(emu)
            harness = Harness(emu, Path(tmp) / "bench.db")
            bot = await harness.start()
            await bot.guild_configs.save(clinic.config(), bot.clock.now())
            latencies: list[float] = []
            calls: list[Counter[str]] = []
            for i in range(people):
                member = emu.create_member(clinic.guild, f"p{i:02d}")
                form = await emu.invoke(member, clinic.general, "talk", within=30)
                before_requests = len(emu.requests)
                before = notices(emu, clinic.escalations)
                t0 = time.perf_counter()
                await emu.submit_modal(
                    member, form, {"topic": ["hard"], "message": "a rough night"}, settle=False
                )
                await emu.wait_for(
                    lambda b=before: notices(emu, clinic.escalations) > b, timeout=30
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                await emu.wait_for(
                    lambda m=member: any(
                        "conversation is open" in (e.get("title") or "").lower()
                        for x in emu.ephemerals(m)
                        for e in x.embeds
                    ),
                    timeout=30,
                )
                calls.append(Counter(r.key for r in emu.requests[before_requests:]))
            await harness.stop()

    first, rest = calls[0], calls[1:]
    print(f"/talk openings: {people} participants, rate limits {'on' if rate_limits else 'off'}")
    print(f"first opening (creates #talk-to-a-facilitator): {sum(first.values())} REST calls")
    for key, n in sorted(first.items()):
        print(f"    {n:>2} {key}")
    per = statistics.mean(sum(c.values()) for c in rest)
    messages = statistics.mean(
        sum(n for k, n in c.items() if k.startswith("POST /channels/{channel_id}/messages"))
        for c in rest
    )
    print(f"each later opening: {per:.1f} REST calls, {messages:.1f} channel messages posted")
    for key, n in sorted(rest[-1].items()):
        print(f"    {n:>2} {key}")
    steady = latencies[1:]
    print(
        "submit -> facilitator notice (ms): "
        f"first {latencies[0]:.1f}; then p50 {pct(steady, 0.5):.1f}, "
        f"p95 {pct(steady, 0.95):.1f}, max {max(steady):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--rate-limits", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.rate_limits))


if __name__ == "__main__":
    main()
