"""Catch-up after downtime: screening what was said while Lantern was stopped.

Ten cohorts (30 watched channels: announcements, group and check-ins each; participants can
post in the 20 group and check-ins channels). Every one of those 20 channels gets one
ordinary message while Lantern runs (so each has a screening mark, as on a bot that has been
up for a while), then `harness.stop()`, then 500 messages are said by enrolled participants:
495 ordinary and 5 crisis messages from 5 different people (so 5 separate alerts; the last
crisis message is the very last message said). Then `harness.start()`:

- catch-up: from the cog's on_ready (`CatchUp.request`) to the end of the automatic
  `CatchUp.catch_up()` run it triggers (timed by wrapping the method, so nothing races it);
- alerts: from the same on_ready until all 5 alert embeds are in #escalations.

Two layouts, each on a fresh emulator and database: the 500 spread round-robin over the 20
channels, and all 500 in ONE channel (PER_CHANNEL is 500: one channel holding exactly the
limit). Prints messages read (history, including the bot's own messages and whatever the
catch-up reads besides the marked channels), screened (people's messages from history),
missed (said while offline but never screened), alerts raised, seconds, messages/s, and the
history reads and DM channels opened after the restart.

    python bench/catchup_bench.py [--messages 500] [--layout spread one]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import configured_lantern
from cogs.crisis import catchup as catchup_module
from cogs.crisis.catchup import CatchUp
from cogs.crisis.watched import watched_channels
from emulator import Emulator
from emulator.model import Channel, Member
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import field, text

COHORTS = 10
CRISIS = [
    "i want to kill myself tonight",
    "everyone would be better off without me",
    "i have the pills lined up, this is goodbye",
    "me quiero morir, ya no aguanto más",
    "i can't do this anymore, i want to end it all",
]
ORDINARY = [
    "went for a walk after group, felt a bit better",
    "thanks everyone for listening yesterday",
    "does anyone know if we meet on thursday?",
    "tried the breathing exercise, it helped a little",
    "slept badly but made it to work",
    "my sister visited, we cooked together",
]


class Timings:
    """Wraps CatchUp.request / catch_up at class level to time the automatic run."""

    def __init__(self) -> None:
        self.ready: float | None = None
        self.runs: list[tuple[float, float, int]] = []
        self._request = CatchUp.request
        self._catch_up = CatchUp.catch_up

    def install(self) -> None:
        timings, request, catch_up = self, self._request, self._catch_up

        def timed_request(catchup: CatchUp) -> None:
            if timings.ready is None:
                timings.ready = time.perf_counter()
            request(catchup)

        async def timed_catch_up(catchup: CatchUp) -> int:
            start = time.perf_counter()
            read = await catch_up(catchup)
            timings.runs.append((start, time.perf_counter(), read))
            return read

        CatchUp.request = timed_request  # type: ignore[method-assign]
        CatchUp.catch_up = timed_catch_up  # type: ignore[method-assign]

    def remove(self) -> None:
        CatchUp.request = self._request  # type: ignore[method-assign]
        CatchUp.catch_up = self._catch_up  # type: ignore[method-assign]


def alert_embeds(emu: Emulator, clinic: Clinic) -> list[Any]:
    return [m for m in emu.messages_in(clinic.escalations) if m.embeds]


async def build(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> tuple[list[tuple[Channel, list[Member]]], int]:
    """Ten cohorts; cohort 0 has 5 participants (5 distinct crisis authors in one channel),
    the others 2. Returns the 20 postable channels with who may post there, and how many
    channels are watched."""
    bot = harness.bot
    assert bot is not None
    postable: list[tuple[Channel, list[Member]]] = []
    for c in range(COHORTS):
        name = f"Cohort {c:02d}"
        await create(emu, clinic, name)
        people = [
            emu.create_member(clinic.guild, f"c{c:02d}p{p}") for p in range(5 if c == 0 else 2)
        ]
        for member in people:
            await enroll(emu, clinic, member, name)
            await agree(emu, member, agreement_message(emu, member))
        row = await bot.db.fetch_one(
            "SELECT group_channel_id, checkins_channel_id FROM cohorts WHERE name = ?", (name,)
        )
        assert row is not None
        postable += [(emu.world.channels[row[0]], people), (emu.world.channels[row[1]], people)]
    watched = len(await watched_channels(bot.db))
    return postable, watched


def plan(
    postable: list[tuple[Channel, list[Member]]], layout: str, total: int
) -> list[tuple[Member, Channel, str, bool]]:
    """(author, channel, text, crisis?) in the order they are said."""
    channels = postable if layout == "spread" else postable[:1]
    # 5 crisis messages from 5 different people, one per fifth of the run; the last message
    # said is one of them. Spread: in channels 1, 3, 5, 7, 19 (cohorts 0, 1, 2, 3, 9).
    crisis_at: set[int] = set()
    for k, ch in enumerate((1, 3, 5, 7, 19)):
        end = (k + 1) * total // 5 - 1
        if layout == "spread":
            end -= (end - ch) % len(channels)
        crisis_at.add(end)
    said: list[tuple[Member, Channel, str, bool]] = []
    authors_used: set[int] = set()
    crisis_n = 0
    for i in range(total):
        channel, people = channels[i % len(channels)]
        if i in crisis_at:
            author = next(p for p in people if p.user.id not in authors_used)
            authors_used.add(author.user.id)
            said.append((author, channel, CRISIS[crisis_n], True))
            crisis_n += 1
        else:
            said.append(
                (people[i % len(people)], channel, f"{ORDINARY[i % len(ORDINARY)]} ({i})", False)
            )
    assert crisis_n == 5, crisis_at
    return said


async def run(layout: str, total: int) -> dict[str, Any]:
    timings = Timings()
    async with configured_lantern() as lab:
        emu, clinic, harness, bot, errors = (lab.emu, lab.clinic, lab.harness, lab.bot, lab.errors)
        postable, watched = await build(emu, clinic, harness)
        for channel, people in postable:  # every channel has a mark, as on a running bot
            await emu.say(people[0], channel, "hello everyone")
        await emu.wait_for(lambda: bot.idle, timeout=30)
        await bot.outbox.settled(timeout=60)
        alerts_before = len(alert_embeds(emu, clinic))
        await harness.stop()

        said = plan(postable, layout, total)
        offline_ids: list[int] = []
        crisis_ids: list[int] = []
        for author, channel, content, crisis in said:
            message = await emu.say(author, channel, content)
            offline_ids.append(message.id)
            if crisis:
                crisis_ids.append(message.id)

        requests_before = len(emu.requests)
        timings.install()
        t_alerts: float | None = None
        try:
            t_start = time.perf_counter()
            bot = await harness.start()
            t_started = time.perf_counter()
            cog: Any = bot.get_cog("Crisis")
            await emu.wait_for(lambda: timings.runs, timeout=60, what="the catch-up run")
            await cog.catchup.idle.wait()
            with contextlib.suppress(TimeoutError):  # reported as fewer than 5 alerts
                await emu.wait_for(
                    lambda: len(alert_embeds(emu, clinic)) >= alerts_before + 5, timeout=20
                )
                t_alerts = time.perf_counter()
            await bot.outbox.settled(timeout=60)
            await emu.wait_for(lambda: bot.idle, timeout=30)
        finally:
            timings.remove()
        seen = set(cog.catchup._seen)  # ids screened (first sight) in this run
        missed = [i for i in offline_ids if i not in seen]
        missed_crisis = [i for i in crisis_ids if i not in seen]
        new_alerts = alert_embeds(emu, clinic)[alerts_before:]
        offline_marked = sum(1 for m in new_alerts if "offline" in text(m))
        per_person = Counter(field(m, "Who") for m in new_alerts)
        result = {
            "layout": layout,
            "watched": watched,
            "channels": 20 if layout == "spread" else 1,
            "start_s": t_started - t_start,
            "ready_to_catchup_start": timings.runs[0][0] - (timings.ready or t_started),
            "catchup_s": timings.runs[0][1] - (timings.ready or t_started),
            "catchup_only_s": timings.runs[0][1] - timings.runs[0][0],
            "alerts_s": None if t_alerts is None else t_alerts - (timings.ready or t_started),
            "runs": len(timings.runs),
            "read": timings.runs[0][2],
            "screened": cog.catchup.caught_up,
            "missed": len(missed),
            "missed_crisis": len(missed_crisis),
            "alerts": len(new_alerts),
            "offline_marked": offline_marked,
            "dup_people": {k: v for k, v in per_person.items() if v > 1},
            "history_gets": sum(
                1
                for r in emu.requests[requests_before:]
                if r.key == "GET /channels/{channel_id}/messages"
            ),
            "dms_opened": sum(
                1 for r in emu.requests[requests_before:] if r.key == "POST /users/@me/channels"
            ),
            "errors": [r.getMessage() for r in errors.records],
        }
        await harness.stop()
    return result


def report(r: dict[str, Any], total: int) -> None:
    where = "spread over 20 channels" if r["layout"] == "spread" else "all in ONE channel"
    print(f"{total} messages while offline, {where} ({r['watched']} channels watched)")
    print(
        f"  messages read {r['read']}   screened from history {r['screened']}   "
        f"missed {r['missed']} (crisis missed {r['missed_crisis']})   "
        f"alerts raised {r['alerts']} ({r['offline_marked']} marked 'sent while offline')"
    )
    rate = r["read"] / r["catchup_s"] if r["catchup_s"] else float("inf")
    screened = r["screened"] / r["catchup_s"] if r["catchup_s"] else float("inf")
    print(
        f"  on_ready -> catch-up finished {r['catchup_s']:6.3f} s   ({rate:5.0f} read/s, "
        f"{screened:5.0f} screened/s; the run itself {r['catchup_only_s']:.3f} s, started "
        f"{r['ready_to_catchup_start'] * 1000:.1f} ms after on_ready)"
    )
    if r["alerts_s"] is None:
        print("  on_ready -> all 5 alerts posted: NEVER (fewer than 5 within 20 s of catch-up)")
    else:
        print(f"  on_ready -> all 5 alerts posted  {r['alerts_s']:6.3f} s")
    print(
        f"  harness.start() {r['start_s']:.3f} s   catch-up runs {r['runs']}   "
        f"after the restart: history GETs {r['history_gets']}, DMs opened {r['dms_opened']}"
    )
    if r["dup_people"]:
        print(f"  DUPLICATE alerts for: {r['dup_people']}")
    if r["errors"]:
        print(f"  ERROR records ({len(r['errors'])}):")
        for message, n in Counter(r["errors"]).items():
            print(f"    x{n}: {message}")
    else:
        print("  ERROR records: none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--layout", nargs="+", choices=["spread", "one"], default=["spread", "one"])
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)  # ERRORs are collected and reported
    logging.getLogger().addHandler(logging.NullHandler())
    print(
        f"catch-up limits: {catchup_module.PER_CHANNEL} messages per channel, "
        f"{catchup_module.CHANNELS_AT_ONCE} channels at once, lookback {catchup_module.LOOKBACK}"
    )
    for layout in args.layout:
        report(asyncio.run(run(layout, args.messages)), args.messages)


if __name__ == "__main__":
    main()
