"""`lantern check-config`: settings, data files, the database and the last known delivery
state, checked without talking to Discord."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.exits import EXIT_CONFIG, EXIT_OK
from config.resources import DataFileError, load_resources
from config.settings import env_name, load_settings


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = load_settings()
    problems: list[str] = []
    lines: list[str] = []

    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    if not token.strip():
        problems.append(f"{env_name('discord_token')} is not set (needed to run).")
    elif token.count(".") != 2:
        problems.append(
            f"{env_name('discord_token')} does not look like a bot token (three parts "
            "separated by dots)."
        )
    else:
        lines.append("token: set")

    keys = settings.data_keys()
    if keys:
        extra = f" (+{len(keys) - 1} old, run rotate-key)" if len(keys) > 1 else ""
        lines.append(f"data key: set, health data encrypted at rest{extra}")
    elif settings.allow_plaintext:
        lines.append("data key: none; LANTERN_ALLOW_PLAINTEXT=true (health data unencrypted)")
    else:
        problems.append(
            f"{env_name('data_key')} is not set (needed to run; `python -m bot gen-key` makes one)."
        )

    try:
        table = load_resources()
        lines.append(f"crisis resources: {len(table.regions)} regions")
        from cogs.crisis.rules import load_rules
        from config.coping import load_coping

        rules = load_rules()
        lines.append(f"crisis rules: version {rules.version}, {len(rules.rule)} rules")
        lines.append(f"coping texts: {len(load_coping().exercises)} exercises")
    except DataFileError as exc:
        problems.append(f"data file: {exc}")

    lines.append(f"log: {settings.log_level.value}, {settings.log_format.value}")
    scope = f"server {settings.dev_guild_id}" if settings.dev_guild_id else "global"
    lines.append(f"command sync: {scope}")
    shards = settings.shards()
    if shards is None:
        lines.append("shards: not sharded (one connection)")
    else:
        count, mine = shards
        lines.append(
            f"shards: this process runs {', '.join(map(str, mine))} of {count} "
            f"(lease {settings.shard_lease_seconds:g} s)"
        )
    path = settings.database_path
    db_line, db_problems = (
        asyncio.run(_database_summary(settings.database))
        if path is None or path.exists()
        else (f"database: {settings.database} (will be created at start-up)", [])
    )
    lines.append(db_line)
    problems.extend(db_problems)

    for line in lines:
        print(line)
    for problem in problems:
        print(f"problem: {problem}")
    print("config OK" if not problems else f"{len(problems)} problem(s) found")
    return EXIT_OK if not problems else EXIT_CONFIG


async def _database_summary(target: str) -> tuple[str, list[str]]:
    from bot.storage import open_database, schema_status, without_password

    path = without_password(target)  # what may be printed
    try:
        db = await open_database(target)
    except Exception as exc:  # any failure to open it is a configuration problem here
        return f"database: {path}", [f"database {path} cannot be opened: {exc}"]
    try:
        status = await schema_status(db)
    except Exception as exc:
        return f"database: {path}", [f"database {path} is not a Lantern database: {exc}"]
    finally:
        await db.close()
    line = f"database: {path} (schema {status.current} of {status.latest})"
    if status.current > status.latest:
        return line, [
            f"database {path} is at schema {status.current}, newer than this Lantern "
            f"({status.latest}); upgrade Lantern or restore a matching backup."
        ]
    problems: list[str] = []
    if status.current >= OUTBOX_SCHEMA:
        delivery, problems = await _delivery_summary(target)
        line += "\n" + delivery
    return line, problems


OUTBOX_SCHEMA = 8
STUCK_SECONDS = 300


async def _delivery_summary(path: str) -> tuple[str, list[str]]:
    """What the running bot last knew: undelivered messages and whether it could post alerts
    (read from the database: check-config never talks to Discord)."""
    from bot.clock import SystemClock
    from bot.outbox import Outbox
    from bot.storage import open_database

    db = await open_database(path)
    try:
        health = await Outbox(db, SystemClock()).health()
        states = await db.fetch_all(
            "SELECT key, value, updated_at FROM app_state WHERE key LIKE 'escalation:%' "
            "ORDER BY key"
        )
    finally:
        await db.close()
    waited = health.oldest_pending.total_seconds() if health.oldest_pending else None
    oldest = f", oldest waiting {int(waited)} s" if waited is not None else ""
    lines = [
        f"outbox: {health.pending} waiting, {health.failed} failed, {health.sent} delivered "
        f"(last 7 days){oldest}"
    ]
    problems = []
    if health.failed:
        problems.append(
            f"{health.failed} message(s) could not be delivered in the last 7 days (the "
            "bot's log has an ERROR with an incident id for each)"
        )
    if waited is not None and waited > STUCK_SECONDS:
        problems.append(f"a message has waited {int(waited)} s to be delivered")
    for key, value, at in states:
        server = key.split(":", 1)[1]
        lines.append(f"server {server}: {value} (as of {at[:19]} UTC)")
        if value.startswith("cannot"):
            problems.append(f"server {server}: Lantern {value}")
    return "\n".join(lines), problems
