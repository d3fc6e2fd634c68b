"""`python -m bot migrate-data`: a SQLite database copied into an empty PostgreSQL one, every
table equal, identity sequences past the copied ids, refusals that change nothing (issue 19).
Needs PostgreSQL (LANTERN_TEST_POSTGRES); skipped otherwise."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.cli import EXIT_CONFIG, main
from bot.crypto import Cipher, generate_key
from bot.storage import Database, apply_migrations, open_database
from bot.storage.guilds import GuildConfig, GuildConfigStore
from bot.storage.transfer import tables_in_order
from cogs.checkins import schedule
from cogs.checkins.prompt_store import PromptStore
from cogs.cohorts.store import CohortStore

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
GUILD = 1478044208357965824
PEOPLE = 50


@pytest.fixture
def pg(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set LANTERN_TEST_POSTGRES)")
    return database_url


async def fill(path: Path, cipher: Cipher) -> None:
    """A clinic: its /setup, a 50-person cohort with check-in schedules, a week of answered
    check-ins with encrypted notes, and ids with gaps (removed enrolments)."""
    db = await Database.open(path)
    try:
        await apply_migrations(db, T0)
        await GuildConfigStore(db).save(
            GuildConfig(guild_id=GUILD, facilitator_role_id=5, timezone="America/Chicago"), T0
        )
        cohorts, checkins = CohortStore(db), PromptStore(db)
        async with db.transaction() as tx:
            cohort_id = await cohorts.create(
                tx, guild_id=GUILD, name="Spring Evening", starts_on=T0.date(),
                ends_on=T0.date() + timedelta(days=56), capacity=60, created_by=5, now=T0,
                channels={},
            )  # fmt: skip
            cohort = await cohorts.get(GUILD, cohort_id)
            assert cohort is not None
            for user in range(1000, 1000 + PEOPLE):
                enrollment = await cohorts.enroll(tx, cohort=cohort, user_id=user, by=5, now=T0)
                assert await cohorts.consent(enrollment, 0, T0)
                settings = await checkins.save_settings(
                    guild_id=GUILD, user_id=user, enabled=True, cadence="daily",
                    local_time=time(9), timezone="America/Chicago", days=schedule.EVERY_DAY,
                    nudge=True, last_due_at=T0, now=T0,
                )  # fmt: skip
                for day in range(7):
                    when = T0 + timedelta(days=day)
                    await tx.execute(
                        "INSERT INTO checkin_prompts (settings_id, guild_id, user_id, kind, "
                        "due_at, local_day, status, mood, note, created_at) VALUES "
                        "(?, ?, ?, 'scheduled', ?, ?, 'answered', ?, ?, ?)",
                        (settings.id, GUILD, user, when.isoformat(), when.date().isoformat(),
                         1 + day % 5, cipher.encrypt(f"day {day}, a private note"),
                         when.isoformat()),
                    )  # fmt: skip
            await tx.execute("DELETE FROM enrollments WHERE user_id % 7 = 0")
    finally:
        await db.close()


async def dump(db: Database, table: str) -> list[tuple[object, ...]]:
    rows = await db.fetch_all(f"SELECT * FROM {table}")  # noqa: S608
    return sorted((tuple(r) for r in rows), key=repr)


async def test_every_table_arrives_equal_and_new_ids_follow(
    tmp_path: Path, pg: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate_key()
    source = tmp_path / "lantern.db"
    await fill(source, Cipher([key]))
    monkeypatch.setenv("LANTERN_DATA_KEY", key)
    assert await asyncio.to_thread(main, ["migrate-data", "--from", str(source), "--to", pg]) == 0
    out = capsys.readouterr().out
    assert "rows/s" in out and "every table's count checked" in out

    src, dst = await Database.open(source), await open_database(pg)
    try:
        tables = await tables_in_order(src)
        assert tables.index("cohorts") < tables.index("enrollments")
        for table in tables:
            assert await dump(src, table) == await dump(dst, table), table
        notes = await dst.fetch_all("SELECT note FROM checkin_prompts")
        assert len(notes) == 7 * PEOPLE
        assert all("private" not in n[0] for n in notes)  # still encrypted
        assert {Cipher([key]).decrypt(n[0]) for n in notes} >= {"day 0, a private note"}
        biggest = await dst.fetch_one("SELECT MAX(id) FROM checkin_prompts")
        new_id = await dst.execute(
            "INSERT INTO checkin_prompts (guild_id, user_id, kind, due_at, local_day, status, "
            "created_at) VALUES (1, 2, 'now', ?, ?, 'sent', ?)",
            (T0.isoformat(), T0.date().isoformat(), T0.isoformat()),
        )
        assert biggest is not None and new_id > biggest[0]
    finally:
        await src.close()
        await dst.close()

    # Again into the same (now full) database: refused, nothing written.
    assert await asyncio.to_thread(main, ["migrate-data", "--from", str(source), "--to", pg]) == 2
    assert "already holds data" in capsys.readouterr().err
    dst = await open_database(pg)
    try:
        count = await dst.fetch_one("SELECT COUNT(*) FROM checkin_prompts")
        assert count is not None and count[0] == 7 * PEOPLE + 1
    finally:
        await dst.close()


def test_bad_arguments_are_refused_with_a_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.db"
    target = "postgresql://lantern@127.0.0.1:1/none"
    assert main(["migrate-data", "--from", str(missing), "--to", target]) == EXIT_CONFIG
    assert "is not a file" in capsys.readouterr().err
    assert main(["migrate-data", "--from", str(missing), "--to", str(tmp_path / "x.db")]) == 2
    assert "must be a PostgreSQL database" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["migrate-data"])  # --from is required: argparse says so
