"""The local Discord emulator as a test bed: per-test cost, big servers, and its own speed.

1. A fresh emulator + Lantern per test (what every e2e test pays): median and p90 of
   set-up (emulator start, the clinic world, Lantern with a new database until on_ready)
   and teardown. Target: median set-up <= 150 ms.
2. --suite: wall time of `python -m pytest -q` (off by default: it is the slow part).
3. Start-up to on_ready with 10 and with 10,000 members, each in a fresh process: time to
   build the server, time to on_ready, resident memory (VmRSS) before and after, peak RSS.
4. The emulator's own speed, so it is never what a benchmark measures: gateway messages/s
   dispatched to a connected client, and REST requests/s served (rate limits off); gateway
   rates are the median of 3 rounds.

Run: python bench/emulator_bench.py [--runs 30] [--members 10 10000] [--messages 3000] [--suite]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp
import discord

from bot.client import LanternBot, discover_extensions
from emulator import Emulator, wiring
from tests.e2e.harness import Harness, build_clinic

TARGET_SETUP_MS = 150.0
READY_TIMEOUT = 0.05  # what the e2e Harness gives the bot (on_ready waits this long)


def ms(seconds: float) -> float:
    return seconds * 1000


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1] if len(samples) >= 2 else samples[0]


def rss_mb() -> float:
    """Current resident set size (VmRSS) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


# --- 1. per-test set-up and teardown ------------------------------------------------------


async def one_test_lifecycle(folder: Path, index: int) -> dict[str, float]:
    """Exactly what the emu + clinic + lantern fixtures do, timed phase by phase."""
    t0 = time.perf_counter()
    emu = Emulator()
    await emu.start()
    t1 = time.perf_counter()
    build_clinic(emu)
    t2 = time.perf_counter()
    # Harness.start, with setup_hook timed (database, migrations, cogs, command sync).
    harness = Harness(emu, folder / f"lantern-{index}.db")
    bot = LanternBot(
        harness.settings(), extensions=discover_extensions(), guild_ready_timeout=READY_TIMEOUT
    )
    hook = bot.setup_hook
    hook_time = 0.0

    async def timed_hook() -> None:
        nonlocal hook_time
        start = time.perf_counter()
        await hook()
        hook_time = time.perf_counter() - start

    bot.setup_hook = timed_hook  # type: ignore[method-assign]
    running = wiring.connected(emu, bot)
    await running.__aenter__()
    t3 = time.perf_counter()
    await running.__aexit__(None, None, None)
    await emu.stop()
    t4 = time.perf_counter()
    return {
        "emulator": t1 - t0,
        "world": t2 - t1,
        "bot": t3 - t2,
        "hook": hook_time,
        "gateway": t3 - t2 - hook_time,
        "setup": t3 - t0,
        "teardown": t4 - t3,
    }


async def bench_per_test(runs: int) -> None:
    print(f"1. Fresh emulator + Lantern per test ({runs} runs after 1 warm-up)")
    with tempfile.TemporaryDirectory() as tmp:
        warm = await one_test_lifecycle(Path(tmp), 0)
        samples = [await one_test_lifecycle(Path(tmp), i) for i in range(1, runs + 1)]

    def column(key: str) -> list[float]:
        return [ms(s[key]) for s in samples]

    setup, teardown = column("setup"), column("teardown")
    verdict = "OK" if statistics.median(setup) <= TARGET_SETUP_MS else "OVER TARGET"
    print(
        f"   set-up     median {statistics.median(setup):6.1f} ms   p90 {p90(setup):6.1f} ms"
        f"   (target median <= {TARGET_SETUP_MS:.0f} ms: {verdict})"
    )
    print(
        f"   teardown   median {statistics.median(teardown):6.1f} ms   p90 {p90(teardown):6.1f} ms"
    )
    print(
        "   set-up by phase (medians): "
        f"emulator start {statistics.median(column('emulator')):.1f} ms, "
        f"clinic world {statistics.median(column('world')):.1f} ms, "
        f"Lantern login..on_ready {statistics.median(column('bot')):.1f} ms"
    )
    print(
        f"   Lantern's part: setup_hook {statistics.median(column('hook')):.1f} ms "
        f"({len(discover_extensions())} cogs, migrations, first command sync); "
        f"login + gateway until on_ready {statistics.median(column('gateway')):.1f} ms "
        f"(of which guild_ready_timeout={READY_TIMEOUT * 1000:.0f} ms)"
    )
    print(f"   first (cold) run: set-up {ms(warm['setup']):.1f} ms, imports already done")


# --- 2. the whole suite ---------------------------------------------------------------------


def bench_suite() -> None:
    print("2. Whole test suite: python -m pytest -q")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"   wall {wall:6.1f} s   exit {done.returncode}   {summary}")


# --- 3. start-up with many members (one fresh process per size) -----------------------------


async def startup_with_members(members: int) -> dict[str, Any]:
    """Build the clinic grown to `members` people (bot included), start Lantern, measure."""
    rss_start = rss_mb()
    # Recording every join for every member is quadratic (see below); big servers turn it off.
    emu = Emulator(record_member_events=False)
    await emu.start()
    clinic = build_clinic(emu)
    t0 = time.perf_counter()
    for i in range(members - len(clinic.guild.members)):
        emu.create_member(clinic.guild, f"member{i:05d}")
    build = time.perf_counter() - t0
    rss_built = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        harness = Harness(emu, Path(tmp) / "lantern.db")
        t1 = time.perf_counter()
        bot = await harness.start()
        ready = time.perf_counter() - t1
        guild = bot.get_guild(clinic.guild.id)
        assert guild is not None
        seen = {
            "member_count": guild.member_count,
            "cached": len(guild.members),
            "large": guild.large,
            "chunked": guild.chunked,
        }
        rss_ready = rss_mb()
        await harness.stop()
    await emu.stop()
    return {
        "members": members,
        "build_s": build,
        "ready_s": ready,
        "rss_start": rss_start,
        "rss_built": rss_built,
        "rss_ready": rss_ready,
        "peak": peak_rss_mb(),
        **seen,
    }


def record_cost(members: int) -> float:
    """Seconds to add `members` people with the default record_member_events=True."""
    emu = Emulator()
    clinic = build_clinic(emu)
    start = time.perf_counter()
    for i in range(members):
        emu.create_member(clinic.guild, f"member{i:05d}")
    return time.perf_counter() - start


def bench_members(sizes: list[int]) -> None:
    print("3. Start-up to on_ready by server size (fresh process each; record_member_events off)")
    for size in sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--one-startup", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"   {r['members']:>6} members: build {ms(r['build_s']):7.1f} ms   "
            f"login..on_ready {ms(r['ready_s']):7.1f} ms   "
            f"RSS {r['rss_start']:.0f} -> {r['rss_built']:.0f} (built) -> "
            f"{r['rss_ready']:.0f} MB (ready), peak {r['peak']:.0f} MB"
        )
        ok = r["member_count"] == r["cached"] == size
        print(
            f"          bot sees member_count={r['member_count']}, cached {r['cached']}, "
            f"large={r['large']}, chunked={r['chunked']}: {'OK' if ok else 'MISMATCH'}"
        )
    small, big = 500, 1000
    t_small, t_big = record_cost(small), record_cost(big)
    print(
        f"   with record_member_events=True (the default): adding {small} members "
        f"{ms(t_small):.0f} ms, {big} members {ms(t_big):.0f} ms "
        f"(x{t_big / t_small:.1f} for x2 members: quadratic)"
    )


# --- 4. the emulator's own throughput -------------------------------------------------------


class Counter(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=READY_TIMEOUT)
        self.received = 0

    async def on_message(self, message: discord.Message) -> None:
        self.received += 1


async def timed(action: Callable[[], Any], count: int) -> float:
    start = time.perf_counter()
    await action()
    return count / (time.perf_counter() - start)


GATEWAY_INTENTS = 1 | 1 << 9 | 1 << 15  # guilds, guild messages, message content


async def raw_gateway_rate(messages: int) -> tuple[float, float]:
    """The emulator alone: a bare websocket client (no discord.py) counts MESSAGE_CREATE."""
    async with Emulator() as emu, aiohttp.ClientSession() as http:
        clinic = build_clinic(emu)
        async with http.ws_connect(emu.gateway_url, max_msg_size=0) as ws:
            await ws.receive_json()  # HELLO
            identify = {"token": emu.bot_token, "intents": GATEWAY_INTENTS, "properties": {}}
            await ws.send_json({"op": 2, "d": identify})
            while (await ws.receive_json()).get("t") != "GUILD_CREATE":
                pass
            received = 0

            async def count() -> None:
                nonlocal received
                async for frame in ws:
                    if '"MESSAGE_CREATE"' in frame.data:
                        received += 1
                        if received == messages:
                            return

            counter = asyncio.create_task(count())
            start = time.perf_counter()
            for i in range(messages):
                await emu.say(clinic.bob, clinic.general, f"message {i}")
            queued = time.perf_counter() - start
            await asyncio.wait_for(counter, timeout=120)
            total = time.perf_counter() - start
    return messages / queued, messages / total


async def bench_throughput(messages: int, requests: int) -> None:
    print("4. The emulator's own speed (rate limits off, one process, loopback)")
    rates = [await raw_gateway_rate(messages) for _ in range(3)]
    said = statistics.median(r[0] for r in rates)
    delivered = statistics.median(r[1] for r in rates)
    print(
        f"   gateway, bare websocket client: {messages} MESSAGE_CREATE   emu.say {said:7.0f} msg/s"
        f"   received {delivered:7.0f} msg/s"
    )
    async with Emulator() as emu:
        clinic = build_clinic(emu)
        client = Counter()
        async with wiring.connected(emu, client):
            said_rates, on_message_rates = [], []
            for _ in range(3):
                client.received = 0
                start = time.perf_counter()
                for i in range(messages):
                    await emu.say(clinic.bob, clinic.general, f"message {i}")
                said_rates.append(messages / (time.perf_counter() - start))
                await emu.wait_for(lambda: client.received >= messages, timeout=120)
                on_message_rates.append(messages / (time.perf_counter() - start))
            print(
                f"   gateway, discord.py client:     {messages} MESSAGE_CREATE   emu.say "
                f"{statistics.median(said_rates):7.0f} msg/s   "
                f"on_message {statistics.median(on_message_rates):7.0f} msg/s"
            )

            channel = client.get_channel(clinic.general.id)
            assert isinstance(channel, discord.TextChannel)

            async def sequential() -> None:
                for i in range(requests):
                    await channel.send(f"reply {i}")

            async def concurrent() -> None:
                await asyncio.gather(*(channel.send(f"burst {i}") for i in range(requests)))

            seq = await timed(sequential, requests)
            par = await timed(concurrent, requests)
            print(
                f"   REST, discord.py channel.send: sequential {seq:6.0f} req/s   "
                f"{requests} at once {par:6.0f} req/s"
            )

            headers = {"Authorization": f"Bot {emu.bot_token}"}
            url = f"{emu.api_base}/users/@me"
            async with aiohttp.ClientSession(headers=headers) as http:

                async def get() -> None:
                    async with http.get(url) as response:
                        await response.read()

                async def raw() -> None:
                    await asyncio.gather(*(get() for _ in range(requests)))

                served = await timed(raw, requests)
            print(f"   REST, bare aiohttp GET /users/@me, {requests} at once: {served:6.0f} req/s")


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="per-test lifecycles (default 30)")
    parser.add_argument("--members", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--messages", type=int, default=3000, help="per round (3 rounds)")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite")
    parser.add_argument("--one-startup", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.one_startup:
        print(json.dumps(asyncio.run(startup_with_members(args.one_startup))))
        return
    began = time.perf_counter()
    print(f"python {sys.version.split()[0]}, discord.py {discord.__version__}, pid {os.getpid()}")
    asyncio.run(bench_per_test(args.runs))
    if args.suite:
        bench_suite()
    bench_members(args.members)
    asyncio.run(bench_throughput(args.messages, args.requests))
    print(f"total {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
