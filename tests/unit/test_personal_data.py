"""The personal-data catalogue covers every table that names a person, and the data-key
commands (gen-key, rotate-key) and backup work from the command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.crypto import PREFIX, Cipher, DataKeyError, generate_key, parse_keys
from bot.personal_data import (
    CATALOGUE,
    NOT_FREE_TEXT,
    NOT_PERSONAL,
    encrypt_plaintext,
    is_time_column,
)
from bot.storage import Database


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite always: these tests read SQLite's own schema and settings."""
    return str(tmp_path / "lantern.db")


PERSON_COLUMNS = {
    "user_id",
    "reporter_id",
    "author_id",
    "target_id",
    "actor_id",
    "member_id",
    "participant_id",
}


async def test_every_table_naming_a_person_is_catalogued(db: Database) -> None:
    tables = [
        r[0]
        for r in await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    covered = {(e.table, e.column) for e in CATALOGUE.rows}
    missing = []
    for table in tables:
        columns = [r[1] for r in await db.fetch_all(f"PRAGMA table_info({table})")]
        for column in PERSON_COLUMNS.intersection(columns):
            exempt = table in NOT_PERSONAL or f"{table}.{column}" in NOT_PERSONAL
            if (table, column) not in covered and not exempt:
                missing.append(f"{table}.{column}")
    assert not missing, f"add these to bot/data_catalogue.py CATALOGUE or NOT_PERSONAL: {missing}"


async def test_catalogued_columns_exist(db: Database) -> None:
    for entry in CATALOGUE.rows:
        columns = [r[1] for r in await db.fetch_all(f"PRAGMA table_info({entry.table})")]
        assert entry.column in columns, entry
        for column in entry.scrub:
            assert column in columns, (entry.table, column)
    for table, column in CATALOGUE.encrypted:
        columns = [r[1] for r in await db.fetch_all(f"PRAGMA table_info({table})")]
        assert column in columns, (table, column)


async def test_every_free_text_column_is_encrypted_or_explained(db: Database) -> None:
    """A TEXT column is encrypted at rest, or NOT_FREE_TEXT says why it isn't free text about
    a person: a new column without that decision fails here."""
    encrypted = {f"{t}.{c}" for t, c in CATALOGUE.encrypted}
    undecided = []
    for (table,) in await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ):
        for row in await db.fetch_all(f"PRAGMA table_info({table})"):
            column, kind = row[1], (row[2] or "TEXT").upper()
            name = f"{table}.{column}"
            if "TEXT" not in kind and "CHAR" not in kind and "CLOB" not in kind:
                continue
            explained = name in NOT_FREE_TEXT or f"{table}.*" in NOT_FREE_TEXT
            if name not in encrypted and not explained and not is_time_column(column):
                undecided.append(name)
    assert not undecided, (
        f"encrypt these (CATALOGUE.encrypted) or say why they aren't free text "
        f"(NOT_FREE_TEXT in bot/data_catalogue.py): {undecided}"
    )
    stale = [n for n in NOT_FREE_TEXT if n in encrypted]
    assert not stale, f"encrypted columns also listed as not free text: {stale}"


async def test_plaintext_written_before_encryption_is_encrypted_at_start_up(
    db: Database,
) -> None:
    cipher = Cipher([generate_key()])
    await db.execute(
        "INSERT INTO mod_actions (guild_id, actor_id, target_id, action, reason, created_at) "
        "VALUES (1, 2, 3, 'timeout', 'said they relapsed', '2026-01-01T00:00:00+00:00')"
    )
    assert await encrypt_plaintext(db, cipher) == 1
    (stored,) = await db.fetch_one("SELECT reason FROM mod_actions")
    assert stored.startswith(PREFIX) and cipher.decrypt(stored) == "said they relapsed"
    assert await encrypt_plaintext(db, cipher) == 0  # nothing left: the next start is cheap
    assert await encrypt_plaintext(db, Cipher(None)) == 0  # no key: plaintext mode


def test_cipher_round_trip_rotation_and_plaintext_passthrough() -> None:
    old, new = generate_key(), generate_key()
    before = Cipher([old])
    stored = before.encrypt("a note about cravings")
    assert stored is not None and stored.startswith(PREFIX) and "cravings" not in stored
    both = Cipher([new, old])
    assert both.decrypt(stored) == "a note about cravings"
    rotated = both.rotate(stored)
    assert Cipher([new]).decrypt(rotated) == "a note about cravings"
    with pytest.raises(DataKeyError):
        Cipher([generate_key()]).decrypt(stored)
    assert Cipher(None).decrypt("written before a key was set") == "written before a key was set"
    assert both.rotate("plain") != "plain"
    with pytest.raises(DataKeyError):
        parse_keys("not-a-key")


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_refuses_to_start_without_a_data_key(tmp_path: Path) -> None:
    result = run(tmp_path, "run", LANTERN_DISCORD_TOKEN="x.y.z")
    assert result.returncode == 2
    assert "LANTERN_DATA_KEY is not set" in result.stderr and "gen-key" in result.stderr
    assert "Traceback" not in result.stderr
    bad = run(tmp_path, "check-config", LANTERN_DATA_KEY="nope")
    assert bad.returncode == 2 and "LANTERN_DATA_KEY is invalid" in bad.stderr


def test_gen_key_rotate_key_and_backup(tmp_path: Path) -> None:
    key = run(tmp_path, "gen-key").stdout.strip()
    parse_keys(key)
    database = tmp_path / "lantern.db"
    assert run(tmp_path, "migrate", LANTERN_DATABASE=str(database)).returncode == 0
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO reports (guild_id, reporter_id, author_id, channel_id, message_id, "
            "excerpt, created_at) VALUES (1, 2, 3, 4, 5, 'plain words', '2026-01-01')"
        )
    rotated = run(tmp_path, "rotate-key", LANTERN_DATABASE=str(database), LANTERN_DATA_KEY=key)
    assert rotated.returncode == 0, rotated.stderr
    assert "re-encrypted 1 value(s)" in rotated.stdout
    with sqlite3.connect(database) as conn:
        (stored,) = conn.execute("SELECT excerpt FROM reports").fetchone()
    assert stored.startswith(PREFIX) and Cipher([key]).decrypt(stored) == "plain words"

    copy = tmp_path / "backups" / "copy.db"
    done = run(tmp_path, "backup", str(copy), LANTERN_DATABASE=str(database))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT COUNT(*) FROM reports").fetchone() == (1,)
    again = run(tmp_path, "backup", str(copy), LANTERN_DATABASE=str(database))
    assert again.returncode == 2 and "already exists" in again.stderr
