"""Bot CPU per ordinary message in a watched cohort channel, and what the catch-up
bookkeeping (screening marks, in-run dedupe) adds to it.

CPU is `time.process_time()` of the whole process from the first `emu.say` of a round until
the crisis cog has finished screening every message of the round (its `_screen_message` is
wrapped to count completions), the bot is idle and the outbox has settled; no sleeps. The
emulator runs in the same process, so its share is measured apart and subtracted:

  baseline  a bare `discord.Client` (no cogs, an on_message that counts) on the same
            emulator, same channel, same messages: emulator + gateway + discord.py parsing;
  (a)       Lantern as shipped;
  (b)       Lantern with the catch-up bookkeeping off: `CatchUp.first_sight` returns True,
            `CatchUp.screened` and `CatchUp.note_dm_channel` do nothing (`mark_for` is left
            as is: a flagged message still writes its mark with its alert);
  unwatched Lantern as shipped, the same messages in #general (not screened: a DB lookup
            says so), for reference.

Rounds of (a) and (b) alternate, 3 each, median kept, in this order:
  ordinary, burst   said as fast as the emulator takes them: Lantern falls behind and a
                    backlog of messages being screened builds up (the peak is printed);
  ordinary, paced   each message screened before the next is said (no backlog), with a
                    paced baseline (--paced messages per round);
  10% crisis, burst every 10th message a crisis message; the 10 participants take turns,
                    and a warm-up round raises one alert each first, so in every measured
                    round crisis messages join the person's open alert (a follow-up line
                    in its thread and an edit of the alert).
Prints µs per message (total, and minus the baseline) and the ratio a/b.

    python bench/message_path_bench.py [--messages 3000] [--rounds 3] [--paced 300]
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord

from bench.common import configured_lantern
from emulator import Emulator, wiring
from emulator.model import Channel, Member
from tests.e2e.test_cohorts import agree, agreement_message, create, enroll

PEOPLE = 10
READY_TIMEOUT = 0.05
ORDINARY = [
    "went for a walk after group, felt a bit better",
    "thanks everyone for listening yesterday, it meant a lot to me",
    "does anyone know if we meet on thursday or friday this week?",
    "tried the breathing exercise before bed, it helped a little",
    "made it to work on time today, small win",
    "my sister visited and we cooked dinner together",
]
CRISIS = [
    "i want to kill myself tonight",
    "everyone would be better off without me",
    "i have the pills lined up, this is goodbye",
    "me quiero morir, ya no aguanto más",
]


def script(n: int, crisis_every: int | None) -> list[str]:
    return [
        CRISIS[i % len(CRISIS)]
        if crisis_every and i % crisis_every == (i // crisis_every) % crisis_every
        else f"{ORDINARY[i % len(ORDINARY)]} ({i})"
        for i in range(n)
    ]


class Counting(discord.Client):
    """The baseline: receives and parses every message, does nothing with it."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=READY_TIMEOUT)
        self.handled = 0
        self.tick = asyncio.Event()

    async def on_message(self, message: discord.Message) -> None:
        self.handled += 1
        self.tick.set()


class Lantern:
    """The running bot, with the crisis cog's screening counted and bookkeeping switchable."""

    def __init__(self, emu: Emulator, bot: Any) -> None:
        self.emu = emu
        self.bot = bot
        self.cog = bot.get_cog("Crisis")
        self.handled = 0
        self.tick = asyncio.Event()
        screen = self.cog._screen_message

        async def counted(message: discord.Message, *args: Any, **kwargs: Any) -> None:
            try:
                await screen(message, *args, **kwargs)
            finally:
                if not message.author.bot:  # not Lantern's own posts (alert threads)
                    self.handled += 1
                    self.tick.set()

        self.cog._screen_message = counted  # the listener looks it up on each message

    def bookkeeping(self, on: bool) -> None:
        catchup = self.cog.catchup
        if on:
            for name in ("first_sight", "screened", "note_dm_channel"):
                catchup.__dict__.pop(name, None)
            return

        async def nothing(message: discord.Message) -> None:
            return None

        catchup.first_sight = lambda message: True
        catchup.screened = lambda message: None
        catchup.note_dm_channel = nothing

    async def settle(self) -> None:
        await self.emu.wait_for(lambda: self.bot.idle, timeout=120)
        await self.bot.outbox.settled(timeout=300)


Handler = Counting | Lantern


async def cpu_of(
    emu: Emulator,
    people: list[Member],
    channel: Channel,
    texts: list[str],
    handler: Handler,
    *,
    paced: bool = False,
) -> tuple[float, int]:
    """(process CPU seconds, peak backlog) to say `texts` and have them all handled.
    Burst: said as fast as the emulator takes them, so the bot falls behind; paced: each
    message handled before the next is said (no backlog)."""
    first = handler.handled
    backlog = 0
    start = time.process_time()
    for i, content in enumerate(texts):
        await emu.say(people[i % len(people)], channel, content)
        if paced:
            while handler.handled < first + i + 1:
                handler.tick.clear()
                await handler.tick.wait()
        else:
            backlog = max(backlog, i + 1 - (handler.handled - first))
    target = first + len(texts)
    await emu.wait_for(lambda: handler.handled >= target, timeout=300, what="all handled")
    if isinstance(handler, Lantern):
        await handler.settle()
    return time.process_time() - start, backlog


async def run(n: int, rounds: int, paced_n: int) -> None:
    results: dict[str, list[float]] = {}
    backlogs: dict[str, int] = {}

    async def measure(
        key: str, handler: Handler, channel: Channel, texts: list[str], paced: bool = False
    ) -> None:
        seconds, backlog = await cpu_of(emu, people, channel, texts, handler, paced=paced)
        results.setdefault(key, []).append(seconds / len(texts) * 1e6)
        backlogs[key] = max(backlogs.get(key, 0), backlog)

    async with configured_lantern() as lab:
        emu, clinic, harness, bot, errors = (lab.emu, lab.clinic, lab.harness, lab.bot, lab.errors)
        await create(emu, clinic, "Bench")
        people = [emu.create_member(clinic.guild, f"p{i:02d}") for i in range(PEOPLE)]
        for member in people:
            await enroll(emu, clinic, member, "Bench")
            await agree(emu, member, agreement_message(emu, member))
        row = await bot.db.fetch_one("SELECT group_channel_id FROM cohorts WHERE name = 'Bench'")
        assert row is not None
        group = emu.world.channels[row[0]]
        lantern = Lantern(emu, bot)
        await cpu_of(emu, people, group, script(min(n, 300), None), lantern)  # warm-up

        plain, crisis, slow = script(n, None), script(n, 10), script(paced_n, None)
        for _ in range(rounds):
            await measure("unwatched", lantern, clinic.general, plain)
        alerts: dict[str, int] = {}
        for texts, label in ((plain, "ordinary"), (slow, "paced"), (crisis, "10% crisis")):
            if texts is crisis:  # raise the 10 alerts first: every round then groups
                await cpu_of(emu, people, group, script(min(n, 300), 10), lantern)
            for _ in range(rounds):
                paced = texts is slow
                for on in (True, False):
                    lantern.bookkeeping(on)
                    key = f"{label} {'a' if on else 'b'}"
                    await measure(key, lantern, group, texts, paced)
            lantern.bookkeeping(True)
            alerts[label] = len([m for m in emu.messages_in(clinic.escalations) if m.embeds])
        sent, retried = bot.outbox.stats.sent, bot.outbox.stats.retried
        await harness.stop()  # the same emulator now measures a bare client

        client = Counting()
        async with wiring.connected(emu, client):
            await cpu_of(emu, people, group, script(min(n, 300), None), client)  # warm-up
            for _ in range(rounds):
                await measure("baseline", client, group, plain)
            for _ in range(rounds):
                await measure("paced baseline", client, group, slow, True)

    med = {key: statistics.median(values) for key, values in results.items()}

    def row(label: str, key: str, base: float) -> str:
        return f"    {label:<44} {med[key]:7.1f} µs/msg   minus baseline {med[key] - base:7.1f}"

    def ratio(a_key: str, b_key: str, base: float) -> str:
        a, b = med[a_key], med[b_key]
        own = (a - base) / (b - base) if b > base else float("nan")
        return (
            f"    outbox and screening-marks overhead on the message path: a/b {a / b:.3f} "
            f"(total), {own:.3f} (Lantern's part only)"
        )

    base = med["baseline"]
    print(
        f"bot CPU per message (process_time, emulator in the same process); burst rounds: "
        f"{n} messages said as fast as possible, median of {rounds}"
    )
    print(f"    {'baseline: bare discord.Client, same channel':<44} {base:7.1f} µs/msg")
    print(row("Lantern, unwatched channel (#general)", "unwatched", base))
    for label in ("ordinary", "10% crisis"):
        print(
            f"  {label} messages in a watched #group (peak backlog "
            f"{backlogs[f'{label} a']} messages not yet screened):"
        )
        print(row("(a) as shipped", f"{label} a", base))
        print(row("(b) catch-up bookkeeping off", f"{label} b", base))
        print(ratio(f"{label} a", f"{label} b", base))
    paced_base = med["paced baseline"]
    print(
        f"  ordinary, paced: each of {paced_n} messages screened before the next is said "
        f"(no backlog), median of {rounds}; baseline {paced_base:.1f} µs/msg"
    )
    print(row("(a) as shipped", "paced a", paced_base))
    print(row("(b) catch-up bookkeeping off", "paced b", paced_base))
    print(ratio("paced a", "paced b", paced_base))
    spread = {k: f"{min(v):.0f}..{max(v):.0f}" for k, v in results.items()}
    print(f"  round-to-round range (µs/msg): {spread}")
    print(
        f"  alert embeds in #escalations after the ordinary rounds {alerts['ordinary']}, "
        f"after the paced ones {alerts['paced']} (both should be 0), after the crisis ones "
        f"{alerts['10% crisis']}; outbox sent {sent}, retried {retried}"
    )
    if errors.records:
        print(f"  ERROR records ({len(errors.records)}):")
        for message, count in Counter(r.getMessage() for r in errors.records).items():
            print(f"    x{count}: {message}")
    else:
        print("  ERROR records: none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000, help="per round (default 3000)")
    parser.add_argument("--rounds", type=int, default=3, help="per variant (default 3)")
    parser.add_argument("--paced", type=int, default=300, help="messages per paced round")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)  # ERRORs are collected and reported
    logging.getLogger().addHandler(logging.NullHandler())
    asyncio.run(run(args.messages, args.rounds, args.paced))


if __name__ == "__main__":
    main()
