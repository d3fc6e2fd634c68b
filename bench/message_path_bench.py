"""Bot CPU per message against a bare discord.py client on the same emulator, the crisis
detector's first pass, and (optionally) what the catch-up bookkeeping adds.

The emulator runs in this process; the bot under test runs in a child process of its own
(spawned, connected to the emulator over localhost like the real gateway and REST API), so
its CPU is the child's own `time.process_time()` (every thread: aiosqlite's included) and
none of the emulator's. Per round: the child notes its CPU, the messages are said, the child
answers once it has handled them all (Lantern: screened, idle, outbox settled), with its CPU.

  bare      a bare `discord.Client` (an on_message that counts): receiving and parsing;
  Lantern   as shipped: the same messages from 10 participants in a watched cohort channel
            (and in #general, not watched, for reference); the crisis cog's
            `_screen_message` is wrapped to count completions, and the detector's `classify`
            to tell its share of the CPU ("detector").

"bot / bare" is Lantern's CPU per message over the bare client's: the issue's figure (goal
<= 3x). The bare client runs before Lantern and again after it (medians over both), so a
machine that slows down meanwhile moves both sides alike. Rounds (median kept), Lantern
alternating first pass on (as shipped) and off (`Detector(first_pass=False)`: every stage in
full; the verdicts are the same):
  ordinary          said as fast as the emulator takes them (a backlog builds up);
  ordinary, paced   each message handled before the next is said (one pipe round trip per
                    message in the child, for both clients);
  10% crisis        every 10th message a crisis one; a warm-up round first raises one alert
                    per participant, so in measured rounds crisis messages join the person's
                    open alert (a follow-up line in its thread and an edit of the alert).
The first pass's skip rate: messages it settled alone (no rule regex, no full model, no full
context pass) out of those the detector saw, in the first-pass-on rounds.
--bookkeeping adds rounds with the catch-up bookkeeping off (`CatchUp.first_sight` returns
True, `screened` and `note_dm_channel` do nothing); --profile FILE profiles Lantern's process
in the first-pass-on rounds of --profile-round (default ordinary; cProfile: slower, the
figures are then not comparable) and prints where the time goes.

Throughput per process: each burst round's messages over its wall-clock time, from the first
message said to the last handled and everything settled (alerts delivered), in messages per
second. With --database postgresql://... Lantern runs on PostgreSQL (its server's CPU is
not in the child's CPU figures; compare the throughput between the two backends).

    python bench/message_path_bench.py [--messages 2000] [--rounds 3] [--paced 300]
        [--database postgresql://user@host:port/db]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import multiprocessing
import pstats
import statistics
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import discord

import cogs.crisis.detector as detector_module
from bench.common import configured_lantern
from bot.client import LanternBot, discover_extensions
from bot.cogs import loaded_cog
from cogs.crisis.cog import Crisis
from cogs.crisis.detector import Detector, Verdict, load_detector
from cogs.crisis.rules import DEFAULT_RULES_PATH
from config.settings import Settings
from emulator import Emulator, wiring
from emulator.model import Channel, Member
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll

PEOPLE = 10
READY_TIMEOUT = 0.05
GOAL = 3.0
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


# --- the child process: the bot under test ------------------------------------------------

PROFILE = cProfile.Profile()


@dataclass(frozen=True)
class Address:
    """Where the child finds the emulator (what `wiring.connected` reads from it)."""

    api_base: str
    gateway_url: str
    bot_token: str


class Counting(discord.Client):
    """The bare client: receives and parses every message, does nothing with it."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=READY_TIMEOUT)
        self.handled = 0
        self.tick = asyncio.Event()

    async def on_message(self, message: discord.Message) -> None:
        self.handled += 1
        self.tick.set()


class Screening:
    """Lantern's crisis cog with its screening counted, its first pass and bookkeeping
    switchable."""

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        cog = loaded_cog(bot, Crisis)
        if cog is None:
            raise RuntimeError("the crisis cog is not loaded")
        self.cog = cog
        self.handled = 0
        self.tick = asyncio.Event()
        self.shipped = load_detector()
        self.full = Detector(DEFAULT_RULES_PATH, self.shipped.model, first_pass=False)
        self.detector_cpu = 0.0  # in classify, either detector
        for detector in (self.shipped, self.full):
            detector.__dict__["classify"] = self._timed(detector.classify)
        screen = cog._screen_message

        async def counted(message: discord.Message, *args: Any, **kwargs: Any) -> None:
            try:
                await screen(message, *args, **kwargs)
            finally:
                if not message.author.bot:  # not Lantern's own posts (alert threads)
                    self.handled += 1
                    self.tick.set()

        cog.__dict__["_screen_message"] = counted  # the listener looks it up on each message

    def first_pass(self, on: bool) -> None:
        """`classify` (what the cog calls) asks `load_detector()`: swap what it returns."""
        vars(detector_module)["load_detector"] = load_detector if on else (lambda: self.full)

    def bookkeeping(self, on: bool) -> None:
        catchup = self.cog.catchup
        if on:
            for name in ("first_sight", "screened", "note_dm_channel"):
                catchup.__dict__.pop(name, None)
            return

        async def nothing(message: discord.Message) -> None:
            return None

        catchup.__dict__.update(
            first_sight=lambda message: True, screened=lambda message: None, note_dm_channel=nothing
        )

    def _timed(self, classify: Callable[..., Verdict]) -> Callable[..., Verdict]:
        def timed(*args: Any, **kwargs: Any) -> Verdict:
            started = time.thread_time()  # this thread's: not aiosqlite's, running meanwhile
            try:
                return classify(*args, **kwargs)
            finally:
                self.detector_cpu += time.thread_time() - started

        return timed

    def skipped(self) -> tuple[int, int, float]:
        counts = self.shipped.counts
        return counts.ordinary, counts.messages, self.detector_cpu

    async def settle(self) -> None:
        while not self.bot.idle:  # noqa: ASYNC110 - the bot has no event for this; briefly
            await asyncio.sleep(0.005)
        await self.bot.outbox.settled(timeout=300)


def serve(kind: str, address: Address, database: Path | str, conn: Connection) -> None:
    """The child's main: run the bot and answer the parent's commands until "stop"."""
    logging.getLogger().setLevel(logging.ERROR)
    logging.getLogger().addHandler(logging.NullHandler())
    with wiring.ErrorLogWatch(("discord", "bot", "cogs")) as errors:
        asyncio.run(_serve(kind, address, database, conn, errors))


async def _serve(
    kind: str,
    address: Address,
    database: Path | str,
    conn: Connection,
    errors: wiring.ErrorLogWatch,
) -> None:
    client: discord.Client
    if kind == "bare":
        client = Counting()
    else:
        values: dict[str, Any] = {
            "_env_file": None,
            "discord_token": address.bot_token,
            "database": database,
        }
        settings = Settings(**values)
        client = LanternBot(settings, extensions=discover_extensions(), guild_ready_timeout=0.05)
    async with wiring.connected(cast(Emulator, address), client):
        under_test: Counting | Screening = (
            client if isinstance(client, Counting) else Screening(cast(LanternBot, client))
        )
        conn.send(("ready",))
        while True:
            name, *args = await asyncio.to_thread(conn.recv)
            if name == "stop":
                conn.send(("stopped", [r.getMessage() for r in errors.records]))
                return
            try:
                conn.send(await _command(under_test, name, args))
            except Exception:
                conn.send(("error", traceback.format_exc()))


async def _command(under_test: Counting | Screening, name: str, args: list[Any]) -> tuple[Any, ...]:
    if name == "wait":  # until `target` messages are handled (and Lantern has settled)
        target, settle = args
        while under_test.handled < target:
            under_test.tick.clear()
            await under_test.tick.wait()
        if settle and isinstance(under_test, Screening):
            await under_test.settle()
    elif isinstance(under_test, Screening) and name in ("first_pass", "bookkeeping"):
        getattr(under_test, name)(*args)
    elif name == "profile":  # on: start; a path: stop and write the stats there
        if args[0] is True:
            PROFILE.enable()
        else:
            PROFILE.disable()
            PROFILE.dump_stats(args[0])
    elif name != "mark":
        raise ValueError(f"unknown command {name!r}")
    skipped = under_test.skipped() if isinstance(under_test, Screening) else (0, 0, 0.0)
    return ("ok", time.process_time(), under_test.handled, *skipped)


# --- the parent: the emulator, and the rounds ---------------------------------------------


@dataclass
class Mark:
    cpu: float
    handled: int
    ordinary: int
    screened: int
    detector: float
    wall: float = 0.0
    """Seconds from the first message said to this mark (set by `cpu_of`)."""


class Child:
    """A bot under test in a child process, driven over a pipe."""

    def __init__(self, kind: str, emu: Emulator, database: Path | str) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.conn, theirs = spawn.Pipe()
        address = Address(emu.api_base, emu.gateway_url, emu.bot_token)
        self.process = spawn.Process(
            target=serve, args=(kind, address, database, theirs), daemon=True
        )
        self.process.start()

    async def _reply(self) -> tuple[Any, ...]:
        reply = cast(tuple[Any, ...], await asyncio.to_thread(self.conn.recv))
        if reply[0] == "error":
            raise RuntimeError(f"in the child:\n{reply[1]}")
        return reply

    async def ready(self) -> None:
        await self._reply()

    async def call(self, *command: Any) -> Mark:
        self.conn.send(command)
        _, cpu, handled, ordinary, screened, detector = await self._reply()
        return Mark(cpu, handled, ordinary, screened, detector)

    async def stop(self) -> list[str]:
        self.conn.send(("stop",))
        _, errors = await self._reply()
        await asyncio.to_thread(self.process.join, 30)
        return cast(list[str], errors)


async def cpu_of(
    emu: Emulator,
    people: list[Member],
    channel: Channel,
    texts: list[str],
    child: Child,
    *,
    paced: bool = False,
) -> tuple[float, Mark, Mark]:
    """The child's CPU seconds to handle `texts` (burst: said as fast as the emulator takes
    them; paced: each handled before the next is said), and its marks before and after."""
    start = await child.call("mark")
    began = time.perf_counter()
    for i, content in enumerate(texts):
        await emu.say(people[i % len(people)], channel, content)
        if paced:
            await child.call("wait", start.handled + i + 1, False)
    end = await child.call("wait", start.handled + len(texts), True)
    end.wall = time.perf_counter() - began
    return end.cpu - start.cpu, start, end


async def run(
    n: int,
    rounds: int,
    paced_n: int,
    bookkeeping: bool,
    profile: Path | None,
    profiled: str = "ordinary",
    database: str | None = None,
) -> None:
    cpu: dict[str, list[float]] = {}
    rates: dict[str, list[float]] = {}  # messages per second, burst rounds
    detector_cpu: dict[str, list[float]] = {}  # of which in the crisis detector
    skips: dict[str, list[int]] = {}

    async def measure(key: str, child: Child, channel: Channel, texts: list[str]) -> None:
        paced = key.startswith("paced")
        seconds, start, end = await cpu_of(emu, people, channel, texts, child, paced=paced)
        cpu.setdefault(key, []).append(seconds / len(texts) * 1e6)
        if not paced:
            rates.setdefault(key, []).append(len(texts) / end.wall)
        if end.detector > start.detector:
            detector_cpu.setdefault(key, []).append(
                (end.detector - start.detector) / len(texts) * 1e6
            )
        if key.endswith(" on"):
            total = skips.setdefault(key.removesuffix(" on"), [0, 0])
            total[0] += end.ordinary - start.ordinary
            total[1] += end.screened - start.screened

    async def lantern_rounds(label: str, texts: list[str]) -> None:
        for _ in range(rounds):
            for on in (True, False):
                await lantern.call("first_pass", on)
                if profile and on and label == profiled:
                    await lantern.call("profile", True)
                await measure(f"{label} {'on' if on else 'off'}", lantern, group, texts)
                if profile and on and label == profiled:
                    await lantern.call("profile", str(profile))
            await lantern.call("first_pass", True)
            if bookkeeping:
                await lantern.call("bookkeeping", False)
                await measure(f"{label} bookkeeping off", lantern, group, texts)
                await lantern.call("bookkeeping", True)

    async with configured_lantern(database=database) as lab:
        emu, clinic, harness, bot = lab.emu, lab.clinic, lab.harness, lab.bot
        await create(emu, clinic, "Bench")
        people = [emu.create_member(clinic.guild, f"p{i:02d}") for i in range(PEOPLE)]
        for member in people:
            await enroll(emu, clinic, member, "Bench")
            await agree(emu, member, agreement_message(emu, member))
        row = await bot.db.fetch_one("SELECT group_channel_id FROM cohorts WHERE name = 'Bench'")
        assert row is not None
        group = emu.world.channels[row[0]]
        await harness.stop()  # from here on Lantern runs in a child process

        plain, crisis, slow = script(n, None), script(n, 10), script(paced_n, None)

        async def bare_rounds() -> list[str]:
            bare = Child("bare", emu, harness.database)
            await bare.ready()
            await cpu_of(emu, people, clinic.general, script(min(n, 300), None), bare)  # warm-up
            for _ in range(rounds):  # in #general: Lantern screens no backlog of them later
                await measure("bare", bare, clinic.general, plain)
                await measure("paced bare", bare, clinic.general, slow)
            return await bare.stop()

        errors = await bare_rounds()
        lantern = Child("lantern", emu, harness.database)
        await lantern.ready()
        await cpu_of(emu, people, group, script(min(n, 300), None), lantern)  # warm-up
        for _ in range(rounds):
            await measure("unwatched", lantern, clinic.general, plain)
        await lantern_rounds("ordinary", plain)
        await lantern_rounds("paced", slow)
        alerts = {"ordinary": len([m for m in emu.messages_in(clinic.escalations) if m.embeds])}
        await cpu_of(emu, people, group, script(min(n, 300), 10), lantern)  # 10 alerts first
        await lantern_rounds("10% crisis", crisis)
        alerts["10% crisis"] = len([m for m in emu.messages_in(clinic.escalations) if m.embeds])
        errors += await lantern.stop()

        errors += await bare_rounds()  # the bare client again: before and after bracket drift
        errors += [r.getMessage() for r in lab.errors.records]

    report(cpu, detector_cpu, skips, n, rounds, paced_n, bookkeeping, alerts, errors)
    backend = "PostgreSQL" if database and database.startswith("postgres") else "SQLite"
    throughput = ", ".join(
        f"{key} {statistics.median(values):.0f}/s"
        for key, values in rates.items()
        if key in ("unwatched", "ordinary on", "10% crisis on")
    )
    print(f"  throughput per process on {backend} (median, burst rounds): {throughput}")
    if profile is not None:
        print(f"\nLantern's process in the {profiled} first-pass-on rounds ({profile}):")
        pstats.Stats(str(profile)).sort_stats("tottime").print_stats(25)


def report(
    cpu: dict[str, list[float]],
    detector_cpu: dict[str, list[float]],
    skips: dict[str, list[int]],
    n: int,
    rounds: int,
    paced_n: int,
    bookkeeping: bool,
    alerts: dict[str, int],
    errors: list[str],
) -> None:
    def med(key: str) -> float:
        return statistics.median(cpu[key])

    def row(label: str, key: str, base: str = "bare") -> str:
        detector = statistics.median(detector_cpu[key]) if key in detector_cpu else 0.0
        return f"    {label:<44} {med(key):7.1f} µs/msg   bot/bare {med(key) / med(base):5.2f}x" + (
            f"   (detector {detector:5.1f})" if detector else ""
        )

    print(
        f"bot CPU per message (the bot's own process; the emulator runs apart); {n} messages "
        f"per burst round, {paced_n} per paced round, median of {rounds}"
    )
    print(f"    {'bare discord.py client':<44} {med('bare'):7.1f} µs/msg")
    print(row("Lantern, unwatched channel (#general)", "unwatched"))
    for label in ("ordinary", "10% crisis"):
        print(f"  {label} messages in a watched #group, said as fast as the emulator takes them:")
        print(row("first pass on (as shipped)", f"{label} on"))
        print(row("first pass off (every stage in full)", f"{label} off"))
        if bookkeeping:
            print(row("first pass on, catch-up bookkeeping off", f"{label} bookkeeping off"))
    print(
        f"  ordinary, paced (each handled before the next is said); bare client "
        f"{med('paced bare'):.1f} µs/msg:"
    )
    print(row("first pass on (as shipped)", "paced on", "paced bare"))
    print(row("first pass off", "paced off", "paced bare"))
    if bookkeeping:
        print(row("catch-up bookkeeping off", "paced bookkeeping off", "paced bare"))
    settled = ", ".join(
        f"{label} {alone}/{seen} ({alone / seen if seen else 0:.1%})"
        for label, (alone, seen) in skips.items()
    )
    print(f"  first pass settled alone (no rule regex, no full model, no full context): {settled}")
    ordinary, crisis = med("ordinary on") / med("bare"), med("10% crisis on") / med("bare")
    verdict = "within" if max(ordinary, crisis) <= GOAL else "above"
    print(
        f"  bot / bare discord.py client: ordinary {ordinary:.2f}x, 10% crisis {crisis:.2f}x "
        f"({verdict} the goal of {GOAL:.0f}x)"
    )
    spread = {k: f"{min(v):.0f}..{max(v):.0f}" for k, v in cpu.items()}
    print(f"  round-to-round range (µs/msg): {spread}")
    print(
        f"  alert embeds in #escalations after the ordinary rounds {alerts['ordinary']} (should "
        f"be 0), after the crisis ones {alerts['10% crisis']}"
    )
    if errors:
        print(f"  ERROR records ({len(errors)}):")
        for message, count in Counter(errors).items():
            print(f"    x{count}: {message}")
    else:
        print("  ERROR records: none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="per variant (default 3)")
    parser.add_argument("--paced", type=int, default=300, help="messages per paced round")
    parser.add_argument(
        "--bookkeeping", action="store_true", help="also measure with catch-up bookkeeping off"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="profile Lantern's process in the first-pass-on rounds of --profile-round",
    )
    parser.add_argument(
        "--profile-round",
        choices=("ordinary", "paced", "10% crisis"),
        default="ordinary",
        help="which rounds --profile covers (default ordinary)",
    )
    parser.add_argument(
        "--database",
        help="where Lantern keeps its data (default: a temporary SQLite file); a "
        "postgresql://... URL measures on PostgreSQL (an empty database)",
    )
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)  # ERRORs are collected and reported
    logging.getLogger().addHandler(logging.NullHandler())
    asyncio.run(
        run(
            args.messages,
            args.rounds,
            args.paced,
            args.bookkeeping,
            args.profile,
            args.profile_round,
            database=args.database,
        )
    )


if __name__ == "__main__":
    main()
