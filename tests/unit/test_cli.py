"""The command line, run as a real subprocess: exit codes and readable messages."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from bot.cli.invite import application_id_from_token
from bot.permissions import required_permissions

FAKE_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.ghijkl"  # base64("123456789012345678")


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
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


def test_help_explains_each_subcommand(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0
    for name in ("run", "check-config", "invite-url", "migrate"):
        assert name in result.stdout


def test_run_without_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run")
    assert result.returncode == 2
    assert "LANTERN_DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_setting_is_named_with_exit_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, LANTERN_LOG_FORMAT="yaml", LANTERN_DISCORD_TOKEN=FAKE_TOKEN)
    assert result.returncode == 2
    assert result.stderr.startswith("lantern: LANTERN_LOG_FORMAT is invalid")
    assert "Traceback" not in result.stderr


def test_check_config_reports_problems_and_exits_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check-config")
    assert result.returncode == 2
    assert "problem: LANTERN_DISCORD_TOKEN is not set" in result.stdout


def test_check_config_passes_with_a_token_and_creates_nothing(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path, "check-config", LANTERN_DISCORD_TOKEN=FAKE_TOKEN, LANTERN_ALLOW_PLAINTEXT="true"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "config OK" in result.stdout
    assert "crisis rules: version" in result.stdout and "coping texts:" in result.stdout
    no_key = run_cli(tmp_path, "check-config", LANTERN_DISCORD_TOKEN=FAKE_TOKEN)
    assert no_key.returncode == 2 and "LANTERN_DATA_KEY is not set" in no_key.stdout
    assert not (tmp_path / "data").exists()


def test_check_config_says_which_shards_this_process_runs(tmp_path: Path) -> None:
    env = {"LANTERN_DISCORD_TOKEN": FAKE_TOKEN, "LANTERN_ALLOW_PLAINTEXT": "true"}
    plain = run_cli(tmp_path, "check-config", **env)
    assert "shards: not sharded" in plain.stdout
    sharded = run_cli(tmp_path, "check-config", LANTERN_SHARD_COUNT="4", **env)
    assert sharded.returncode == 0, sharded.stdout + sharded.stderr
    assert "shards: this process runs 0, 1, 2, 3 of 4 (lease 30 s)" in sharded.stdout
    split = run_cli(tmp_path, "check-config", LANTERN_SHARD_COUNT="4", LANTERN_SHARD_IDS="0-1",
                    **env)  # fmt: skip
    assert split.returncode == 2 and "shared PostgreSQL database" in split.stderr
    wrong = run_cli(tmp_path, "check-config", LANTERN_SHARD_COUNT="4", LANTERN_SHARD_IDS="2-5",
                    **env)  # fmt: skip
    assert wrong.returncode == 2 and "'2-5' is outside 0-3" in wrong.stderr


def test_migrate_creates_the_database_then_is_a_no_op(tmp_path: Path) -> None:
    first = run_cli(tmp_path, "migrate", LANTERN_DATABASE="db/x.db")
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "db" / "x.db").exists()
    second = run_cli(tmp_path, "migrate", LANTERN_DATABASE="db/x.db")
    assert "applied 0 migration(s)" in second.stdout


def test_newer_database_is_refused_by_migrate_and_check_config(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    with sqlite3.connect(tmp_path / "data" / "lantern.db") as conn:
        conn.execute("INSERT INTO schema_version VALUES (999, 'future', 'x')")
    migrate = run_cli(tmp_path, "migrate")
    assert migrate.returncode == 2 and "newer than this Lantern" in migrate.stderr
    check = run_cli(
        tmp_path, "check-config", LANTERN_DISCORD_TOKEN=FAKE_TOKEN, LANTERN_ALLOW_PLAINTEXT="1"
    )
    assert check.returncode == 2 and "newer than this Lantern" in check.stdout


def test_invite_url_asks_for_exactly_the_needed_permissions(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "invite-url", LANTERN_DISCORD_TOKEN=FAKE_TOKEN)
    assert result.returncode == 0, result.stderr
    query = parse_qs(urlparse(result.stdout.strip()).query)
    assert query["client_id"] == ["123456789012345678"]
    assert set(query["scope"][0].split()) == {"bot", "applications.commands"}
    granted = discord.Permissions(int(query["permissions"][0]))
    assert granted == required_permissions()
    assert not granted.administrator


def test_invite_url_without_any_id_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "invite-url")
    assert result.returncode == 2 and "--client-id" in result.stderr


@pytest.mark.parametrize(
    ("token", "expected"),
    [(FAKE_TOKEN, 123456789012345678), ("not-a-token", None), ("@@@.x.y", None)],
)
def test_application_id_from_token(token: str, expected: int | None) -> None:
    assert application_id_from_token(token) == expected


def test_classify_reads_lines_and_writes_json_lines(tmp_path: Path) -> None:
    lines = "i want to kms\nthis shift is killing me\n\nno aguanto más, me quiero morir\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "classify"],
        cwd=tmp_path,
        input=lines,
        env={k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [v["level"] for v in verdicts] == ["crisis", "none", "none", "crisis"]
    assert set(verdicts[0]) == {"level", "score", "reasons"}
    assert verdicts[0]["reasons"][0]["text"] == "kms"


def test_check_config_reports_undelivered_messages_and_a_broken_escalation_channel(
    tmp_path: Path,
) -> None:
    env = {"LANTERN_DISCORD_TOKEN": FAKE_TOKEN, "LANTERN_ALLOW_PLAINTEXT": "true"}
    assert run_cli(tmp_path, "migrate", **env).returncode == 0
    db = sqlite3.connect(tmp_path / "data" / "lantern.db")
    now = "2026-03-02T15:00:00.000000+00:00"
    db.executemany(
        "INSERT INTO outbox (kind, guild_id, subject_id, dedupe_key, priority, status, "
        "next_attempt_at, created_at, done_at, last_error) VALUES (?, 1, ?, ?, 0, ?, ?, ?, ?, ?)",
        [
            ("crisis_alert", 1, "a", "pending", now, now, None, "503"),
            ("report_notice", 2, "b", "failed", now, now, "2999-01-01", "50013"),
        ],
    )
    db.execute(
        "INSERT INTO app_state (key, value, updated_at) VALUES ('escalation:1', "
        "'cannot post alerts: Lantern is missing send messages in #escalations', ?)",
        (now,),
    )
    db.commit()
    db.close()
    result = run_cli(tmp_path, "check-config", **env)
    assert result.returncode == 2
    assert "outbox: 1 waiting, 1 failed, 0 delivered" in result.stdout
    assert "oldest waiting" in result.stdout
    assert "problem: 1 message(s) could not be delivered" in result.stdout
    assert "problem: a message has waited" in result.stdout
    assert "problem: server 1: Lantern cannot post alerts" in result.stdout
