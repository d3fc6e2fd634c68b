"""Care-team alerts through the emulator, on a sped-up clock: a participant's crisis message
pages their cohort's care team (in its channel); nobody acknowledges; after `escalate_after`
minutes program staff are paged in the escalation channel. Prints, per message, the wall time
to the team's page, and the clock time from the message to the staff page (which should be
`escalate_after`, plus at most the scheduler's wake-up) and the wall time that took once due.

    python bench/team_alert_bench.py [--people 20] [--escalate-after 10]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import time_machine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import pct
from emulator import Emulator
from tests.e2e.harness import Harness, build_clinic
from tests.e2e.steps.common import button_ids

MESSAGE = "i can't do this anymore, i want to kill myself tonight"
START = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # 9 pm in Chicago: the hard hours


async def run(people: int, escalate_after: int) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp, time_machine.travel(START, tick=True) as travel:
        async with Emulator() as emu:
            clinic = build_clinic(emu)
            harness = Harness(emu, Path(tmp) / "bench.db")
            bot = await harness.start()
            await bot.guild_configs.save(clinic.config(), bot.clock.now())
            await emu.invoke(
                clinic.alice, clinic.general, "crisis settings",
                realert_minutes=escalate_after, escalate_after=escalate_after,
            )  # fmt: skip
            await emu.invoke(
                clinic.alice, clinic.general, "cohort create", name="Bench", start="2026-03-02",
                end="2026-05-22", capacity=50, within=60,
            )  # fmt: skip
            erin = emu.create_member(clinic.guild, "erin")
            room = emu.create_channel(
                clinic.guild,
                "bench-team",
                overwrites={
                    clinic.guild: discord.PermissionOverwrite(view_channel=False),
                    erin: discord.PermissionOverwrite(view_channel=True),
                    clinic.guild.bot_role: discord.PermissionOverwrite(view_channel=True),
                },
            )
            await emu.invoke(
                clinic.alice, clinic.general, "cohort team add", cohort="Bench", member=erin
            )
            await emu.invoke(
                clinic.alice, clinic.general, "cohort team channel",
                options={"cohort": "Bench", "channel": room},
            )  # fmt: skip
            members = []
            for i in range(people):
                member = emu.create_member(clinic.guild, f"p{i:02d}")
                await emu.invoke(
                    clinic.alice, clinic.general, "cohort enroll", member=member,
                    cohort="Bench", within=60,
                )  # fmt: skip
                message = next(m for m in reversed(emu.dms(member)) if button_ids(m))
                agree = next(c for c in button_ids(message) if ":agree:" in c)
                res = await emu.click(member, message, agree, within=60)
                await res.wait_for_edit(timeout=60)
                members.append(member)
            group = next(c for c in clinic.guild.channels.values() if c.name == "group")

            def pages(channel: object) -> list[object]:
                return [m for m in emu.messages_in(channel) if m.embeds]  # type: ignore[arg-type]

            to_team, to_staff_clock, to_staff_wall, staff_early = [], [], [], 0
            for member in members:
                team_before, staff_before = len(pages(room)), len(pages(clinic.escalations))
                t0 = time.perf_counter()
                said = await emu.say(member, group, MESSAGE)
                await emu.wait_for(lambda n=team_before: len(pages(room)) > n, timeout=30)
                to_team.append((time.perf_counter() - t0) * 1000)
                staff_early += len(pages(clinic.escalations)) > staff_before
                travel.shift(timedelta(minutes=escalate_after, seconds=1))
                t1 = time.perf_counter()
                bot.scheduler.wakeup()
                await emu.wait_for(
                    lambda n=staff_before: len(pages(clinic.escalations)) > n, timeout=30
                )
                to_staff_wall.append((time.perf_counter() - t1) * 1000)
                staff = pages(clinic.escalations)[-1]
                to_staff_clock.append(
                    (staff.timestamp - said.timestamp).total_seconds() / 60  # type: ignore[attr-defined,operator]
                )
                alert = pages(room)[-1]
                ack = next(c for c in button_ids(alert) if ":ack:" in c)  # type: ignore[arg-type]
                await emu.click(erin, alert, ack, within=30)  # type: ignore[arg-type]
            await harness.stop()
    print(f"care-team alerts through the emulator, {people} messages, escalate_after "
          f"{escalate_after} min (sped-up clock)")  # fmt: skip
    print(
        f"  message -> team paged (wall):         p50 {statistics.median(to_team):6.1f} ms   "
        f"p95 {pct(to_team, 0.95):6.1f} ms   max {max(to_team):6.1f} ms"
    )
    print(
        f"  message -> program staff paged (clock): min {min(to_staff_clock):.2f} min   "
        f"max {max(to_staff_clock):.2f} min   (escalate_after {escalate_after} min)"
    )
    print(
        f"  due -> staff page posted (wall):      p50 {statistics.median(to_staff_wall):6.1f} ms"
        f"   p95 {pct(to_staff_wall, 0.95):6.1f} ms"
    )
    print(f"  staff paged before escalate_after: {staff_early} of {people}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--escalate-after", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.people, args.escalate_after))


if __name__ == "__main__":
    main()
