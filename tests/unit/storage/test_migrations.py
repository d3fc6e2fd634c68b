from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import Database, MigrationError, apply_migrations, schema_status
from bot.storage.database import split_sql
from bot.storage.migrations import available_migrations

NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "dir" / "l.db")
    applied = await apply_migrations(db, NOW)
    assert [m.version for m in applied] == [m.version for m in available_migrations()]
    status = await schema_status(db)
    assert status.current == status.latest and status.pending == 0
    tables = {r["name"] for r in await db.fetch_all("SELECT name FROM sqlite_master")}
    assert {"guild_config", "app_state", "schema_version"} <= tables
    await db.close()


async def test_rerunning_migrations_is_a_no_op(db: Database) -> None:
    before = await db.fetch_all("SELECT * FROM schema_version")
    assert await apply_migrations(db, NOW) == []
    assert [tuple(r) for r in await db.fetch_all("SELECT * FROM schema_version")] == [
        tuple(r) for r in before
    ]


async def test_database_newer_than_code_is_refused(db: Database) -> None:
    latest = len(available_migrations())
    await db.execute(
        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'future', 'x')",
        (latest + 1,),
    )
    with pytest.raises(MigrationError, match="newer than this Lantern"):
        await apply_migrations(db, NOW)


async def test_failed_migration_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    from bot.storage import migrations

    good = available_migrations()
    broken = [*good, migrations.Migration(len(good) + 1, "broken", "CREATE TABLE x (a);\nNOPE;")]
    monkeypatch.setattr(migrations, "available_migrations", lambda backend="sqlite": broken)
    db = await Database.open(tmp_path / "l.db")
    with pytest.raises(Exception, match="syntax error"):
        await apply_migrations(db, NOW)
    tables = {r["name"] for r in await db.fetch_all("SELECT name FROM sqlite_master")}
    assert "guild_config" not in tables and "x" not in tables
    await db.close()


def test_split_sql_keeps_semicolons_inside_strings_and_skips_comments() -> None:
    script = (
        "-- header\nCREATE TABLE a (t TEXT DEFAULT ';');\n\n-- c\nINSERT INTO a VALUES ('x;y');\n"
    )
    assert split_sql(script) == [
        "-- header\nCREATE TABLE a (t TEXT DEFAULT ';');",
        "-- c\nINSERT INTO a VALUES ('x;y');",
    ]


def test_migration_files_have_a_header_comment() -> None:
    for migration in available_migrations():
        assert migration.sql.lstrip().startswith(f"-- {migration.version:04d}")
