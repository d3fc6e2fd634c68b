"""kill -9 of a real `python -m bot run` at chosen moments, then what reached people.

Issue 14's acceptance scenarios, shared by tests/process/test_kill9.py (which asserts) and
bench/kill9_bench.py (which loops and prints):

- `crisis_scenario`: per cycle, a process starts, one person (a new one each cycle, so the
  15-minute grouping hides no duplicate) DMs a clearly suicidal message, and the process is
  killed 0-50 ms later (the delays cover the range evenly, see `spread`); every
  `late_every`-th cycle the DM arrives during start-up instead (after the gateway session
  exists, before "ready") and the kill comes 0-300 ms after ready, in the middle of
  start-up's catch-up and outbox resume. A last process then runs until everything is
  delivered and is stopped cleanly; the emulator is counted after that, when nothing can
  arrive any more.
- `checkin_scenario`: 200 active participants with a check-in due a few seconds after the
  first process is ready; the process is killed mid-fan-out (after 20-60 prompts arrived),
  restarted and killed mid-way again, then a last process finishes; every person must have
  exactly one prompt.

The random delays are the fault injection (seeded; the seed is in every report). Waiting is
done on events or by polling with a deadline.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.storage import apply_migrations, open_database
from cogs.checkins import schedule
from cogs.checkins.prompt_store import PromptStore
from cogs.cohorts.store import CohortStore
from emulator import Emulator
from emulator.model import DM, Member
from tests.e2e.harness import Clinic
from tests.e2e.steps.common import button_ids, text
from tests.process.harness import BotProcesses, LogLine, outbox_pending, poll, query_db

FAST = {"guild_ready_timeout": "0.2"}
"""Every process here: "ready" 0.2 s after the last GUILD_CREATE instead of 2 s."""

CRISIS_TEXTS = (
    "I'm going to kill myself tonight, I have the pills ready ({n})",
    "I am going to kill myself tonight. The pills are ready ({n})",
    "tonight I'm going to kill myself, I have the pills ready ({n})",
    "I'm going to end my life tonight, the pills are ready ({n})",
    "I want to kill myself tonight, I have the pills ready ({n})",
    "I'm going to kill myself tonight, the pills are ready on the table ({n})",
)
SUPPORT_MARK = "carry this alone"
"""In the support DM's embed (as tests/e2e/test_crisis.py recognises it)."""

Log = Callable[[str], None]


def crisis_text(number: int) -> str:
    return CRISIS_TEXTS[number % len(CRISIS_TEXTS)].format(n=number + 1)


async def classify(proc: BotProcesses, texts: Sequence[str]) -> list[str]:
    """The level `python -m bot classify` gives each text (one per line in, one JSON out)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "classify",
        cwd=proc.cwd,
        env=proc.environment(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate("\n".join(texts).encode() + b"\n"), 60)
    if child.returncode != 0:
        raise RuntimeError(f"classify exited with {child.returncode}: {err.decode()[-2000:]}")
    return [json.loads(line)["level"] for line in out.decode().splitlines()]


def connected(line: LogLine) -> bool:
    """discord.py's INFO record once the gateway's READY arrived (events now reach it)."""
    return "connected to Gateway" in line.message


# --- counting ------------------------------------------------------------------------


@dataclass
class Tally:
    """How many of one kind of message each person got; exactly one is right."""

    kind: str
    counts: dict[int, int]

    @property
    def lost(self) -> list[int]:
        return [who for who, n in self.counts.items() if n == 0]

    @property
    def duplicated(self) -> int:
        """Messages beyond the first, over everybody."""
        return sum(n - 1 for n in self.counts.values() if n > 1)

    @property
    def duplicated_people(self) -> list[int]:
        return [who for who, n in self.counts.items() if n > 1]

    def short(self) -> str:
        return f"{self.kind} lost={len(self.lost)} dup={self.duplicated}"


def alert_who(message: object) -> int | None:
    for embed in getattr(message, "embeds", []):
        for f in embed.get("fields", []):
            if f.get("name") == "Who" and str(f.get("value", "")).startswith("<@"):
                return int(str(f["value"]).strip("<@!>"))
    return None


def alert_counts(emu: Emulator, clinic: Clinic, people: Sequence[Member]) -> dict[int, int]:
    """Crisis alerts (embeds, "Who" = <@id>) per person in #escalations."""
    found = Counter(alert_who(m) for m in emu.messages_in(clinic.escalations) if m.embeds)
    return {p.id: found.get(p.id, 0) for p in people}


def support_counts(emu: Emulator, people: Sequence[Member]) -> dict[int, int]:
    return {p.id: sum(SUPPORT_MARK in text(m) for m in emu.dms(p)) for p in people}


def follow_ups(emu: Emulator, clinic: Clinic) -> int:
    """Lines starting "Another message" in the alerts' threads. Each person wrote once, so
    any such line is a message screened twice (its words alerted again)."""
    threads = [
        c
        for c in emu.world.channels.values()
        if c.is_thread and c.parent_id == clinic.escalations.id
    ]
    return sum(
        "Another message" in m.content
        for thread in threads
        for m in emu.messages_in(thread)
        if m.author.id == emu.bot_user_id
    )


def stray_alerts(emu: Emulator, clinic: Clinic) -> int:
    """Alerts that fell back to the moderation log or a facilitator's DMs."""
    elsewhere = [*emu.messages_in(clinic.mod_log), *emu.dms(clinic.alice), *emu.dms(clinic.dana)]
    return sum(alert_who(m) is not None for m in elsewhere)


def dm_marks(database: Path) -> dict[int, int]:
    """DM channel -> newest message id screened (the catch-up's marks)."""
    rows = query_db(
        database, "SELECT channel_id, message_id FROM screen_marks WHERE guild_id IS NULL"
    )
    return {int(c): int(m) for c, m in rows}


def spread(rng: random.Random, count: int, bounds: tuple[float, float]) -> list[float]:
    """`count` random delays covering `bounds` evenly (one in each of `count` equal slices,
    shuffled): 30 cycles always include kills at the very start of the range and at its
    end, not only wherever the random numbers happen to fall."""
    low, high = bounds
    width = (high - low) / count if count else 0.0
    delays = [low + width * (k + rng.random()) for k in range(count)]
    rng.shuffle(delays)
    return delays


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


# --- the crisis scenario -------------------------------------------------------------


@dataclass
class CrisisCycle:
    number: int
    person: int
    mode: str
    """"dm": killed 0-50 ms after the DM; "start-up": DM before ready, killed 0-300 ms
    after ready."""
    delay_ms: float
    fired: bool
    """The process logged "crisis pipeline fired" for this person before it died."""
    startup: float | None

    def describe(self) -> str:
        return (
            f"cycle {self.number} ({self.mode}, kill after {self.delay_ms:.1f} ms, "
            f"{'screened' if self.fired else 'not screened'} before the kill)"
        )


@dataclass
class CrisisReport:
    seed: int
    cycles: list[CrisisCycle]
    alerts: Tally
    support: Tally
    follow_ups: int
    stray_alerts: int
    unknown_channels: list[int]
    """People whose DM channel Lantern had no record of when the last process started."""
    settled: bool
    pending_after: int
    final_exit: int | None
    startups: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.settled
            and not self.alerts.lost
            and not self.alerts.duplicated
            and not self.support.lost
            and not self.support.duplicated
            and not self.follow_ups
            and not self.stray_alerts
            and self.pending_after == 0
            and self.final_exit == 0
        )

    def summary(self) -> str:
        return (
            f"kill9: seed={self.seed} cycles={len(self.cycles)} {self.alerts.short()} "
            f"{self.support.short()} follow-ups dup={self.follow_ups} "
            f"fallback alerts={self.stray_alerts} pending={self.pending_after} "
            f"restart->ready mean={mean(self.startups):.2f}s"
        )

    def details(self) -> str:
        by_person = {c.person: c for c in self.cycles}
        lines = [self.summary()]
        for kind in (self.alerts, self.support):
            for who in kind.lost:
                lines.append(f"  {kind.kind} LOST for <@{who}>: {by_person[who].describe()}")
            for who in kind.duplicated_people:
                lines.append(
                    f"  {kind.kind} x{kind.counts[who]} for <@{who}>: {by_person[who].describe()}"
                )
        if self.unknown_channels:
            lines.append(
                f"  DM channels unknown to Lantern at the last start: "
                f"{[by_person[w].number for w in self.unknown_channels]} (cycle numbers)"
            )
        if not self.settled:
            lines.append("  the last process did not settle (outbox/marks) within its deadline")
        return "\n".join(lines)


async def crisis_scenario(
    emu: Emulator,
    clinic: Clinic,
    proc: BotProcesses,
    *,
    cycles: int = 30,
    seed: int | None = None,
    late_every: int = 5,
    dm_delay: tuple[float, float] = (0.0, 0.050),
    start_up_delay: tuple[float, float] = (0.0, 0.300),
    settle_within: float = 30.0,
    log: Log = print,
) -> CrisisReport:
    """Run the cycles on a configured clinic with `cycles` extra participants. Every
    `late_every`-th cycle is a start-up one (0: none)."""
    seed = random.randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    log(f"kill9 crisis: seed={seed} cycles={cycles}")
    modes = [late_every > 0 and n % late_every == late_every - 1 for n in range(cycles)]
    delays = {
        True: spread(rng, modes.count(True), start_up_delay),
        False: spread(rng, modes.count(False), dm_delay),
    }
    people = [emu.create_member(clinic.guild, f"participant{i:02d}") for i in range(cycles)]
    texts = [crisis_text(i) for i in range(cycles)]
    await proc.configure(clinic.config())

    done: list[CrisisCycle] = []
    sent: dict[int, int] = {}  # person -> the message id of their DM
    for number, (person, words, start_up) in enumerate(zip(people, texts, modes, strict=True)):
        delay = delays[start_up].pop()
        bot = proc.new(**FAST)
        await bot.start()
        if start_up:
            # The session exists (READY arrived), "ready" is ~0.2 s away: the DM is handled
            # while start-up's catch-up and outbox resume have not begun yet.
            await bot.wait_log(connected, 20.0, what="the gateway's READY")
            sent[person.id] = (await emu.dm(person, words)).id
            await bot.wait_ready()
        else:
            await bot.wait_ready()
            sent[person.id] = (await emu.dm(person, words)).id
        await asyncio.sleep(delay)  # the fault injection: kill this long after
        await bot.kill9()
        fired = bool(
            bot.find(
                lambda line, who=person.id: (
                    line.message == "crisis pipeline fired" and line.get("user_id") == who
                )
            )
        )
        done.append(
            CrisisCycle(
                number,
                person.id,
                "start-up" if start_up else "dm",
                delay * 1000,
                fired,
                bot.startup_seconds,
            )
        )

    # Lantern cannot list its DM channels: a channel it never recorded is never read again.
    marks = await asyncio.to_thread(dm_marks, proc.database)
    channels = {p.id: emu.dm_channel(p).id for p in people}
    unknown = [p.id for p in people if channels[p.id] not in marks]

    async def settled() -> bool:
        if await asyncio.to_thread(outbox_pending, proc.database):
            return False
        now = await asyncio.to_thread(dm_marks, proc.database)
        # Each DM screened for good (its mark is written with its alert), and everything
        # recorded delivered: nothing more can come out of these messages. DMs Lantern had
        # not recorded are included: start-up opens members' DMs to find them, and that
        # (paced) probe may still be running when the outbox is first empty.
        return all(now.get(channels[who], -1) >= message_id for who, message_id in sent.items())

    final = await proc.start(**FAST)
    ok = True
    try:
        await final.watch(poll(settled, settle_within, what="everything delivered"))
    except TimeoutError:
        ok = False
    final_exit = await final.terminate()
    pending = await asyncio.to_thread(outbox_pending, proc.database)
    startups = [p.startup_seconds for p in proc.processes if p.startup_seconds is not None]
    return CrisisReport(
        seed=seed,
        cycles=done,
        alerts=Tally("alerts", alert_counts(emu, clinic, people)),
        support=Tally("support", support_counts(emu, people)),
        follow_ups=follow_ups(emu, clinic),
        stray_alerts=stray_alerts(emu, clinic),
        unknown_channels=unknown,
        settled=ok,
        pending_after=pending,
        final_exit=final_exit,
        startups=startups,
    )


# --- the check-in fan-out scenario ---------------------------------------------------


async def seed_checkins(
    database: Path | str,
    clinic: Clinic,
    user_ids: Sequence[int],
    due_at: datetime,
    now: datetime,
) -> None:
    """A cohort with `user_ids` enrolled and agreed (active), each with a daily check-in at
    `due_at`'s time of day in UTC: written with the product's stores, as /cohort create,
    /cohort enroll, "I agree" and the opt-in would. Call while no process runs.

    /checkin settings takes minutes only; the time is stored with seconds here so that the
    fan-out starts seconds after "ready" instead of at the next whole minute (the schedule
    code reads any ISO time)."""
    db = await open_database(str(database))
    try:
        await apply_migrations(db, now)
        cohorts, checkins = CohortStore(db), PromptStore(db)
        async with db.transaction() as tx:  # one commit for all of it
            cohort_id = await cohorts.create(
                tx,
                guild_id=clinic.guild.id,
                name="Kill Nine",
                starts_on=now.date(),
                ends_on=now.date() + timedelta(days=42),
                capacity=len(user_ids) + 10,
                created_by=clinic.alice.id,
                now=now,
                channels={},
            )
            cohort = await cohorts.get(clinic.guild.id, cohort_id)
            assert cohort is not None
            for user_id in user_ids:
                enrollment = await cohorts.enroll(
                    tx, cohort=cohort, user_id=user_id, by=clinic.alice.id, now=now
                )
                assert await cohorts.consent(enrollment, 0, now)  # version 0: the built-in
                await checkins.save_settings(
                    guild_id=clinic.guild.id,
                    user_id=user_id,
                    enabled=True,
                    cadence="daily",
                    local_time=time(due_at.hour, due_at.minute),
                    timezone="UTC",
                    days=schedule.EVERY_DAY,
                    nudge=False,
                    last_due_at=now,  # as the opt-in button stores it
                    now=now,
                )
            await tx.execute(
                "UPDATE checkin_settings SET local_time = ? WHERE guild_id = ?",
                (due_at.time().isoformat(timespec="seconds"), clinic.guild.id),
            )
    finally:
        await db.close()


def prompt_counts(emu: Emulator) -> Counter[int]:
    """Check-in prompts (DMs with the mood buttons) per recipient."""
    counts: Counter[int] = Counter()
    world = emu.world
    for channel in list(world.channels.values()):
        if channel.type != DM or not channel.recipients:
            continue
        for message in world.channel_messages(channel):
            if message.author.id == emu.bot_user_id and any(
                ":mood:" in c for c in button_ids(message)
            ):
                counts[channel.recipients[0]] += 1
    return counts


@dataclass
class CheckinRun:
    """One process of the fan-out."""

    number: int
    target: int | None
    """Killed once this many people had their prompt (None: the last, stopped cleanly)."""
    arrived: int
    """People with a prompt when it was killed (or at the end)."""
    startup: float | None


@dataclass
class CheckinReport:
    seed: int
    people: int
    due_after_ready: float
    """Seconds from the first process's "ready" to the prompts' due time."""
    runs: list[CheckinRun]
    prompts: Tally
    statuses: dict[str, int]
    pending_after: int
    settled: bool
    final_exit: int | None

    @property
    def kills(self) -> int:
        return sum(r.target is not None for r in self.runs)

    @property
    def ok(self) -> bool:
        return (
            self.settled
            and not self.prompts.lost
            and not self.prompts.duplicated
            and self.statuses == {"sent": self.people}
            and self.pending_after == 0
            and self.final_exit == 0
        )

    def summary(self) -> str:
        at = ",".join(str(r.arrived) for r in self.runs if r.target is not None)
        return (
            f"kill9 check-ins: seed={self.seed} people={self.people} kills={self.kills} "
            f"(at {at} prompts) {self.prompts.short()} rows={dict(self.statuses)} "
            f"pending={self.pending_after} due {self.due_after_ready:+.1f}s after ready "
            f"restart->ready mean={mean([r.startup for r in self.runs if r.startup]):.2f}s"
        )


async def checkin_scenario(
    emu: Emulator,
    clinic: Clinic,
    proc: BotProcesses,
    *,
    people: int = 200,
    kills: int = 3,
    seed: int | None = None,
    lead: float = 4.0,
    settle_within: float = 60.0,
    log: Log = print,
) -> CheckinReport:
    seed = random.randrange(2**32) if seed is None else seed
    rng = random.Random(seed)
    log(f"kill9 check-ins: seed={seed} people={people} kills={kills}")
    members = [emu.create_member(clinic.guild, f"checker{i:03d}") for i in range(people)]
    await proc.configure(clinic.config())
    now = datetime.now(UTC)
    # Start-up takes ~1.5 s here: due ~2-3 s after "ready" (earlier on a slow machine,
    # when the claims come during start-up and the sending starts at "ready").
    due = (now + timedelta(seconds=lead)).replace(microsecond=0)
    await seed_checkins(proc.database, clinic, [m.id for m in members], due, now)

    targets: list[int] = []
    for _ in range(kills):
        low = targets[-1] + 20 if targets else 20
        targets.append(min(rng.randint(low, low + 40), people - 10))

    def arrived() -> int:
        return len(prompt_counts(emu))

    runs: list[CheckinRun] = []
    first_ready: float | None = None
    for number, target in enumerate(targets):
        bot = await proc.start(**FAST)
        if first_ready is None:
            first_ready = (datetime.now(UTC) - due).total_seconds()
        await bot.watch(
            emu.wait_for(lambda t=target: arrived() >= t, 60.0, what=f"{target} prompts")
        )
        await bot.kill9()  # at once: the fan-out is still going
        runs.append(CheckinRun(number, target, arrived(), bot.startup_seconds))

    async def settled() -> bool:
        if len(prompt_counts(emu)) < people:
            return False
        if await asyncio.to_thread(outbox_pending, proc.database):
            return False
        rows = await asyncio.to_thread(
            query_db, proc.database, "SELECT COUNT(*) FROM checkin_prompts WHERE status = 'sent'"
        )
        return rows[0][0] >= people

    final = await proc.start(**FAST)
    ok = True
    try:
        await final.watch(poll(settled, settle_within, what="every prompt sent"))
    except TimeoutError:
        ok = False
    final_exit = await final.terminate()
    runs.append(CheckinRun(len(targets), None, arrived(), final.startup_seconds))
    counts = prompt_counts(emu)
    statuses = dict(
        query_db(proc.database, "SELECT status, COUNT(*) FROM checkin_prompts GROUP BY status")
    )
    return CheckinReport(
        seed=seed,
        people=people,
        due_after_ready=-(first_ready or 0.0),
        runs=runs,
        prompts=Tally("prompts", {m.id: counts.get(m.id, 0) for m in members}),
        statuses=statuses,
        pending_after=await asyncio.to_thread(outbox_pending, proc.database),
        settled=ok,
        final_exit=final_exit,
    )


__all__ = [
    "FAST",
    "CheckinReport",
    "CrisisReport",
    "checkin_scenario",
    "classify",
    "crisis_scenario",
    "crisis_text",
]
