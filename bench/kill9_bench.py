"""kill -9 of a real `python -m bot run`, many times: what was lost or duplicated after it.

Runs the scenarios of tests/process/kill9.py outside pytest (the same harness: an emulator in
this process, Lantern as subprocesses on one temporary database) and prints, per kind, the
people who got nothing (lost) and the messages beyond the first (duplicated), and the mean
time from spawning a process to its "ready".

    python bench/kill9_bench.py --cycles 50                  # crisis DMs, 0-50 ms kills
    python bench/kill9_bench.py --cycles 50 --checkins 200   # plus the check-in fan-out
    python bench/kill9_bench.py --cycles 40 --late-every 0 --dm-ms 0 10 --verbose
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator import Emulator
from tests.e2e.harness import build_clinic
from tests.process.harness import BotProcesses
from tests.process.kill9 import checkin_scenario, crisis_scenario


async def crisis(args: argparse.Namespace, workdir: Path) -> bool:
    async with Emulator() as emu:
        clinic = build_clinic(emu)
        proc = BotProcesses(emu, workdir)
        try:
            report = await crisis_scenario(
                emu,
                clinic,
                proc,
                cycles=args.cycles,
                seed=args.seed,
                late_every=args.late_every,
                dm_delay=(args.dm_ms[0] / 1000, args.dm_ms[1] / 1000),
                start_up_delay=(args.start_up_ms[0] / 1000, args.start_up_ms[1] / 1000),
            )
        finally:
            await proc.close()
        if args.verbose:
            for cycle in report.cycles:
                lost = [t.kind for t in (report.alerts, report.support) if cycle.person in t.lost]
                print(f"  {cycle.describe()}{' LOST ' + '+'.join(lost) if lost else ''}")
        print(f"cycles:              {len(report.cycles)} (seed {report.seed})")
        for tally in (report.alerts, report.support):
            kind = f"{tally.kind}:"
            print(f"{kind:<20} lost {len(tally.lost):>3}  duplicated {tally.duplicated:>3}")
        print(f"follow-ups (re-screened messages): {report.follow_ups}")
        print(f"alerts in a fallback:               {report.stray_alerts}")
        print(f"never-recorded DM channels:         {len(report.unknown_channels)}")
        print(f"restart -> ready:    mean {sum(report.startups) / len(report.startups):.2f} s")
        errors = proc.report()
        if errors:
            print("ERROR records:\n" + errors)
        return report.ok and not errors


async def checkins(args: argparse.Namespace, workdir: Path) -> bool:
    async with Emulator() as emu:
        clinic = build_clinic(emu)
        proc = BotProcesses(emu, workdir)
        try:
            report = await checkin_scenario(
                emu, clinic, proc, people=args.checkins, kills=args.kills, seed=args.seed
            )
        finally:
            await proc.close()
        print(report.summary())
        errors = proc.report()
        if errors:
            print("ERROR records:\n" + errors)
        return report.ok and not errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=50, help="crisis cycles (0: skip)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--late-every", type=int, default=5, help="every Nth cycle: DM during start-up"
    )
    parser.add_argument("--dm-ms", type=float, nargs=2, default=(0.0, 50.0))
    parser.add_argument("--start-up-ms", type=float, nargs=2, default=(0.0, 300.0))
    parser.add_argument("--checkins", type=int, default=0, help="people in the fan-out (0: skip)")
    parser.add_argument("--kills", type=int, default=3, help="kills during the fan-out")
    parser.add_argument("--verbose", action="store_true", help="one line per crisis cycle")
    args = parser.parse_args()
    ok = True
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kill9-") as tmp:
        if args.cycles:
            ok &= asyncio.run(crisis(args, Path(tmp) / "crisis"))
        if args.checkins:
            ok &= asyncio.run(checkins(args, Path(tmp) / "checkins"))
    print(f"wall time:           {time.monotonic() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
