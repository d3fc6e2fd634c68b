"""The whole crisis path through the emulator: a participant's message arrives, the detector
runs, the facilitator alert is posted. Prints p50/p95 of message -> alert and -> support DM.

Each message comes from a different participant (a new alert each), one at a time, so the
figure is latency, not queueing. With `--rate-limits` Discord's limits are on.

    python bench/crisis_bench.py [--people 60] [--rate-limits]
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
from tests.e2e.steps.common import button_ids, text

MESSAGES = [
    "i want to kill myself tonight",
    "everyone would be better off without me",
    "i have the pills lined up, this is goodbye",
    "me quiero morir, ya no aguanto más",
]


async def run(people: int, rate_limits: bool) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator(rate_limits=rate_limits) as emu:
            clinic = build_clinic(emu)
            harness = Harness(emu, Path(tmp) / "bench.db")
            bot = await harness.start()
            await bot.guild_configs.save(clinic.config(), bot.clock.now())
            await emu.invoke(
                clinic.alice,
                clinic.general,
                "cohort create",
                name="Bench",
                start="2026-03-02",
                end="2026-05-22",
                capacity=50,
                within=60,
            )
            members = []
            for i in range(people):
                member = emu.create_member(clinic.guild, f"p{i:02d}")
                await emu.invoke(
                    clinic.alice,
                    clinic.general,
                    "cohort enroll",
                    member=member,
                    cohort="Bench",
                    within=60,
                )
                message = next(m for m in reversed(emu.dms(member)) if button_ids(m))
                agree = next(c for c in button_ids(message) if ":agree:" in c)
                res = await emu.click(member, message, agree, within=60)
                await res.wait_for_edit(timeout=60)
                members.append(member)
            group = next(c for c in clinic.guild.channels.values() if c.name == "group")
            to_alert, to_dm = [], []
            for i, member in enumerate(members):
                alerts_before = len([m for m in emu.messages_in(clinic.escalations) if m.embeds])
                t0 = time.perf_counter()

                async def alerted(n: int = alerts_before, t0: float = t0) -> float:
                    await emu.wait_for(
                        lambda: (
                            len([m for m in emu.messages_in(clinic.escalations) if m.embeds]) > n
                        ),
                        timeout=30,
                    )
                    return time.perf_counter() - t0

                async def dm_sent(m: object = member, t0: float = t0) -> float:
                    await emu.wait_for(
                        lambda: any("carry this alone" in text(d) for d in emu.dms(m)),  # type: ignore[arg-type]
                        timeout=30,
                    )
                    return time.perf_counter() - t0

                waits = asyncio.gather(alerted(), dm_sent())
                await emu.say(member, group, MESSAGES[i % len(MESSAGES)])
                alert_s, dm_s = await waits
                to_alert.append(alert_s)
                to_dm.append(dm_s)
            limited = Counter(f"{r.method} {r.route}" for r in emu.requests if r.status == 429)
            await harness.stop()
    if limited:
        print("  429s by route: " + ", ".join(f"{n} {route}" for route, n in limited.items()))
    ms = [x * 1000 for x in to_alert]
    dm = [x * 1000 for x in to_dm]
    mode = "on" if rate_limits else "off"
    print(f"crisis path through the emulator, {people} messages, rate limits {mode}")
    print(
        f"  message -> facilitator alert posted: p50 {statistics.median(ms):6.1f} ms   "
        f"p95 {pct(ms, 0.95):6.1f} ms   max {max(ms):6.1f} ms"
    )
    print(
        f"  message -> support DM to the person: p50 {statistics.median(dm):6.1f} ms   "
        f"p95 {pct(dm, 0.95):6.1f} ms   max {max(dm):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--rate-limits", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.people, args.rate_limits))


if __name__ == "__main__":
    main()
