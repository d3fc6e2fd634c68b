"""Several `python -m bot run` processes splitting the shards of one bot, on one emulator
and one PostgreSQL database (issue 19). Shared by tests/process/test_shards.py (asserts) and
bench/shard_fanout_bench.py (measures)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.storage import apply_migrations, open_database
from bot.storage.guilds import GuildConfigStore
from cogs.sessions.records import iso
from emulator import Emulator
from emulator.model import Member
from tests.e2e.harness import Clinic, build_clinic
from tests.process.harness import BotProcess, BotProcesses
from tests.process.kill9 import alert_who, seed_checkins

COUNT = 4
HOME = {"a": "0-1", "b": "2-3"}


def spawn(fleet: BotProcesses, database: str, home: str, lease: str = "3") -> BotProcess:
    """A process (not started) running shards `home` of COUNT."""
    return fleet.new(
        database=database,
        shard_count=str(COUNT),
        shard_ids=home,
        shard_lease_seconds=lease,
        guild_ready_timeout="0.2",
    )


async def clinics_with_checkins(
    emu: Emulator,
    database: str,
    per_clinic: int,
    lead: float,
    *,
    known_dms: bool = False,
    reminders_after: float | None = None,
) -> tuple[list[Clinic], dict[int, list[Member]], datetime]:
    """One configured clinic per shard, `per_clinic` participants each with a daily
    check-in due `lead` seconds from now (written before any process starts). Returns the
    clinics, their participants by shard, and the due time. `known_dms`: as on any day after
    the first, Lantern knows each person's DM channel (one request per prompt, not two).
    `reminders_after`: also a session reminder DM for everyone, due that many seconds after
    the check-ins."""
    clinics = [build_clinic(emu, name=f"IOP {k}", shard=(k, COUNT)) for k in range(COUNT)]
    people = {
        k: [emu.create_member(c.guild, f"p{k}-{i:04d}") for i in range(per_clinic)]
        for k, c in enumerate(clinics)
    }
    now = datetime.now(UTC)
    due = (now + timedelta(seconds=lead)).replace(microsecond=0)
    db = await open_database(database)
    try:
        await apply_migrations(db, now)
        for clinic in clinics:
            await GuildConfigStore(db).save(clinic.config(), now)
    finally:
        await db.close()
    for k, clinic in enumerate(clinics):
        await seed_checkins(database, clinic, [m.id for m in people[k]], due, now)
        if reminders_after is not None:
            when = due + timedelta(seconds=reminders_after)
            await seed_reminders(database, clinic, [m.id for m in people[k]], when, now)
    if known_dms:
        db = await open_database(database)
        try:
            async with db.transaction() as tx:
                await tx.execute_many(
                    "UPDATE checkin_settings SET dm_channel_id = ? WHERE user_id = ?",
                    [(emu.dm_channel(m).id, m.id) for group in people.values() for m in group],
                )
        finally:
            await db.close()
    return clinics, people, due


async def seed_reminders(
    database: str, clinic: Clinic, user_ids: list[int], due: datetime, now: datetime
) -> None:
    """A one-off session of the clinic's cohort starting a minute after `due`, and a DM
    reminder due at `due` for each of `user_ids` (who opted in to DM reminders a minute
    ahead): as /session add and /session reminders would leave them, already planned."""
    starts = due + timedelta(minutes=1)
    db = await open_database(database)
    try:
        async with db.transaction() as tx:
            cohort = await tx.fetch_one(
                "SELECT id FROM cohorts WHERE guild_id = ?", (clinic.guild.id,)
            )
            assert cohort is not None, "seed the check-ins (and the cohort) first"
            series = await tx.execute(
                "INSERT INTO session_series (guild_id, cohort_id, title, kind, weekdays, "
                "start_time, duration_minutes, timezone, starts_on, ends_on, planned_until, "
                "created_by, created_at) VALUES (?, ?, 'Group', 'group', '', ?, 60, 'UTC', ?, ?, "
                "?, ?, ?)",
                (clinic.guild.id, cohort[0], starts.strftime("%H:%M"), starts.date().isoformat(),
                 starts.date().isoformat(), iso(now + timedelta(days=60)), clinic.alice.id,
                 iso(now)),
            )  # fmt: skip
            occurrence = await tx.execute(
                "INSERT INTO session_occurrences (series_id, guild_id, cohort_id, "
                "original_start, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)",
                (series, clinic.guild.id, cohort[0], starts.replace(tzinfo=None).isoformat(),
                 iso(starts), iso(starts + timedelta(hours=1))),
            )  # fmt: skip
            await tx.execute_many(
                "INSERT INTO session_prefs (guild_id, user_id, dm_reminders, dm_lead, "
                "missed_dm, updated_at) VALUES (?, ?, 1, 1, 1, ?)",
                [(clinic.guild.id, user, iso(now)) for user in user_ids],
            )
            await tx.execute_many(
                "INSERT INTO session_reminders (occurrence_id, user_id, lead_minutes, "
                "for_start, due_at) VALUES (?, ?, 1, ?, ?)",
                [(occurrence, user, iso(starts), iso(due)) for user in user_ids],
            )
    finally:
        await db.close()


def reminder_counts(emu: Emulator, people: list[Member]) -> Counter[int]:
    """Session reminder DMs ("⏰ ... in ...") per person."""
    return Counter(
        {
            p.id: sum(
                any(str(e.get("title", "")).startswith("⏰") for e in m.embeds) for m in emu.dms(p)
            )
            for p in people
        }
    )


def alerts(emu: Emulator, clinics: list[Clinic]) -> Counter[int]:
    """Crisis alerts per person, over every clinic's #escalations."""
    found: Counter[int] = Counter()
    for clinic in clinics:
        for message in emu.messages_in(clinic.escalations):
            if message.embeds and (who := alert_who(message)) is not None:
                found[who] += 1
    return found
