"""Crisis alert delivery through the outbox, with and without Discord failing.

Time from a participant's crisis message (said in a cohort's #group, a different person each
run, one at a time) to the facilitator alert appearing in #escalations:

  (a) no faults;
  (b) the first 3 posts of the alert to #escalations answer 503 (the fault names that
      channel's path; discord.py raises at once on 503; the outbox retries crisis items
      after ~1 s, 2 s, 4 s, with +-25% jitter), while the support DM goes out at once.

Prints p50 / p99 / max in seconds for both, how many people got their alert exactly once
(alert embeds per person in #escalations) and their support DM exactly once, and the
ERROR records logged (in (b) every failed safety attempt is an ERROR by design).

    python bench/delivery_bench.py [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import configured_lantern, pct
from emulator import Emulator
from emulator.model import Channel, Member
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import text

CRISIS = [
    "i want to kill myself tonight",
    "everyone would be better off without me",
    "i have the pills lined up, this is goodbye",
    "me quiero morir, ya no aguanto más",
]
EXPECTED_ERRORS = ("delivery failed, retrying",)
"""Logged at ERROR on purpose for every failed attempt of a safety item."""


def alert_embeds(emu: Emulator, clinic: Clinic) -> list[object]:
    return [m for m in emu.messages_in(clinic.escalations) if m.embeds]


def alerts_about(emu: Emulator, clinic: Clinic, member: Member) -> int:
    return sum(1 for m in alert_embeds(emu, clinic) if f"<@{member.user.id}>" in text(m))  # type: ignore[arg-type]


def supports_to(emu: Emulator, member: Member) -> int:
    return sum(1 for m in emu.dms(member) if "carry this alone" in text(m))


async def cohort_of(
    emu: Emulator, clinic: Clinic, harness: Harness, name: str, people: list[Member]
) -> Channel:
    await create(emu, clinic, name, capacity=50)
    for member in people:
        await enroll(emu, clinic, member, name)
        await agree(emu, member, agreement_message(emu, member))
    bot = harness.bot
    assert bot is not None
    row = await bot.db.fetch_one("SELECT group_channel_id FROM cohorts WHERE name = ?", (name,))
    assert row is not None
    return emu.world.channels[row[0]]


async def one_message(
    emu: Emulator, clinic: Clinic, member: Member, group: Channel, index: int
) -> float:
    before = len(alert_embeds(emu, clinic))
    t0 = time.perf_counter()
    await emu.say(member, group, CRISIS[index % len(CRISIS)])
    await emu.wait_for(lambda: len(alert_embeds(emu, clinic)) > before, timeout=60)
    return time.perf_counter() - t0


def summary(label: str, seconds: list[float]) -> str:
    return (
        f"  {label:<40} p50 {statistics.median(seconds):6.3f} s   "
        f"p99 {pct(seconds, 0.99):6.3f} s   max {max(seconds):6.3f} s   (n={len(seconds)})"
    )


async def run(runs: int) -> None:
    async with configured_lantern() as lab:
        emu, clinic, harness, bot, errors = (lab.emu, lab.clinic, lab.harness, lab.bot, lab.errors)
        plain = [emu.create_member(clinic.guild, f"a{i:02d}") for i in range(runs)]
        faulty = [emu.create_member(clinic.guild, f"b{i:02d}") for i in range(runs)]
        group_a = await cohort_of(emu, clinic, harness, "Bench A", plain)
        group_b = await cohort_of(emu, clinic, harness, "Bench B", faulty)
        await bot.outbox.settled(timeout=60)
        escalation_path = f"/channels/{clinic.escalations.id}/messages"

        clean: list[float] = []
        for i, member in enumerate(plain):
            clean.append(await one_message(emu, clinic, member, group_a, i))
            await bot.outbox.settled(timeout=60)  # support DM and thread done too

        faulted: list[float] = []
        on_alert: list[int] = []
        for i, member in enumerate(faulty):
            seen = len(emu.requests)
            emu.faults.fail_next(f"POST {escalation_path}", times=3, status=503)
            faulted.append(await one_message(emu, clinic, member, group_b, i))
            await bot.outbox.settled(timeout=60)
            failed = [r for r in emu.requests[seen:] if r.status == 503]
            assert len(failed) == 3, f"run {i}: {len(failed)} injected 503s were used"
            on_alert.append(sum(1 for r in failed if r.path.endswith(escalation_path)))
        emu.faults.clear()
        retried = bot.outbox.stats.retried
        await harness.stop()

    everyone = plain + faulty
    once = sum(1 for m in everyone if alerts_about(emu, clinic, m) == 1)
    dm_once = sum(1 for m in everyone if supports_to(emu, m) == 1)
    extra = {
        m.user.username: alerts_about(emu, clinic, m)
        for m in everyone
        if alerts_about(emu, clinic, m) != 1
    }
    print(f"crisis message -> facilitator alert in #escalations, {runs} people per case")
    print(summary("(a) no faults", clean))
    print(summary("(b) first 3 alert posts -> 503", faulted))
    print(f"  503s that hit the alert post: {sum(on_alert)} of {3 * runs}")
    print(f"  outbox retries counted: {retried} (expected {3 * runs})")
    print(
        f"  alerts delivered exactly once: {once}/{len(everyone)}   "
        f"support DMs exactly once: {dm_once}/{len(everyone)}"
    )
    if extra:
        print(f"  NOT exactly once (alert embeds per person): {extra}")
    by_message = Counter(r.getMessage().split(" (incident")[0] for r in errors.records)
    expected = sum(n for m, n in by_message.items() if m.startswith(EXPECTED_ERRORS))
    print(f"  ERROR records: {len(errors.records)} ({expected} expected: failed safety attempts)")
    for message, n in by_message.items():
        if not message.startswith(EXPECTED_ERRORS):
            print(f"    UNEXPECTED x{n}: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="people per case (default 30)")
    args = parser.parse_args()
    # ERRORs are collected and summarised below, not printed as they come.
    logging.getLogger().setLevel(logging.ERROR)
    logging.getLogger().addHandler(logging.NullHandler())
    asyncio.run(run(args.runs))


if __name__ == "__main__":
    main()
