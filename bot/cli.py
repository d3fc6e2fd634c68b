"""`python -m bot` / `lantern`: run the bot and its admin commands.

Exit codes: 0 success, 2 configuration problem (a readable line says what to fix), 1 other.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.logs import configure_logging
from config.resources import DataFileError, load_resources
from config.settings import Settings, SettingsError, env_name, load_settings, require_token

if TYPE_CHECKING:
    import discord

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_CONFIG = 2

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lantern",
        description="Lantern: peer support for Intensive Outpatient Programs, on Discord. "
        "Settings come from LANTERN_* environment variables or a .env file "
        "(see .env.example).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="connect to Discord and serve (the default)")
    sub.add_parser(
        "check-config",
        help="validate settings, data files and the database; print a summary "
        "(exit 0 if all is well, 2 if not)",
    )
    invite = sub.add_parser(
        "invite-url",
        help="print the OAuth2 URL that adds the bot with exactly the permissions it needs",
    )
    invite.add_argument(
        "--client-id",
        type=int,
        help=f"application id (default: {env_name('application_id')}, else read from the token)",
    )
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    sub.add_parser("gen-key", help="print a new key for LANTERN_DATA_KEY (encryption at rest)")
    sub.add_parser(
        "rotate-key",
        help="re-encrypt stored health data with the first key in LANTERN_DATA_KEY "
        "(list the new key first, then the old one, comma-separated)",
    )
    backup = sub.add_parser(
        "backup",
        help="copy the database to PATH consistently, even while the bot runs "
        "(SQLite online backup)",
    )
    backup.add_argument("path", type=Path, help="where to write the copy (must not exist)")
    sub.add_parser(
        "classify",
        help="read messages one per line on stdin; write one JSON verdict per line "
        '({"level": "crisis"|"concern"|"none", "score": ..., "reasons": [...]})',
    )
    sub.add_parser(
        "sandbox",
        help="see Lantern work without Discord: run it against a local emulated Discord with "
        "a demo server and print what each person sees (no token or settings needed)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers: dict[str, Command] = {
        "run": cmd_run,
        "check-config": cmd_check_config,
        "invite-url": cmd_invite_url,
        "migrate": cmd_migrate,
        "classify": cmd_classify,
        "gen-key": cmd_gen_key,
        "rotate-key": cmd_rotate_key,
        "backup": cmd_backup,
        "sandbox": cmd_sandbox,
    }
    try:
        return handlers[args.command or "run"](args)
    except (SettingsError, DataFileError) as exc:
        print(f"lantern: {exc}", file=sys.stderr)
        return EXIT_CONFIG


# --- classify ----------------------------------------------------------------------


def cmd_classify(args: argparse.Namespace) -> int:
    """The crisis detector on its own: no settings, no database, no network."""
    from cogs.crisis.classify import run

    return run(sys.stdin, sys.stdout)


# --- run ---------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    token = require_token(settings)
    require_data_key(settings)
    configure_logging(settings.log_level, settings.log_format)
    resources = load_resources()
    from bot.client import LanternBot

    return asyncio.run(run_until_stopped(LanternBot(settings, resources=resources), token))


async def run_until_stopped(
    bot: discord.Client, token: str, stop: asyncio.Event | None = None
) -> int:
    """Serve until SIGINT/SIGTERM (or `stop` is set); then shut down cleanly and return 0."""
    import discord  # imported here so the admin subcommands start fast

    from bot.storage import MigrationError

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not possible off the main thread or on Windows; Ctrl+C still ends the process there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="lantern-bot")
            stopper = asyncio.create_task(stop.wait(), name="lantern-stop")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("stopping: signal received")
                await bot.close()
            stopper.cancel()
            await runner
    except discord.LoginFailure:
        print(
            f"lantern: Discord rejected the token in {env_name('discord_token')}. Copy it again "
            "from the Developer Portal (Bot page > Reset Token).",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        print(
            "lantern: Discord refused the privileged intents. In the Developer Portal, Bot page, "
            "turn on SERVER MEMBERS INTENT and MESSAGE CONTENT INTENT.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except MigrationError as exc:
        print(f"lantern: database: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    log.info("stopped")
    return EXIT_OK


# --- check-config ------------------------------------------------------------------


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
    db_line, db_problems = (
        asyncio.run(_database_summary(settings.database))
        if settings.database.exists()
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


async def _database_summary(path: Path) -> tuple[str, list[str]]:
    from bot.storage import Database, schema_status

    try:
        db = await Database.open(path)
    except Exception as exc:  # any sqlite failure is a configuration problem here
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
        delivery, problems = await _delivery_summary(path)
        line += "\n" + delivery
    return line, problems


OUTBOX_SCHEMA = 8
STUCK_SECONDS = 300


async def _delivery_summary(path: Path) -> tuple[str, list[str]]:
    """What the running bot last knew: undelivered messages and whether it could post alerts
    (read from the database: check-config never talks to Discord)."""
    from bot.clock import SystemClock
    from bot.outbox import Outbox
    from bot.storage import Database

    db = await Database.open(path)
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


# --- invite-url --------------------------------------------------------------------


def application_id_from_token(token: str) -> int | None:
    """A bot token's first part is the base64 of the bot's user id (= application id)."""
    first = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=False).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(decoded) if decoded.isdigit() else None


def cmd_invite_url(args: argparse.Namespace) -> int:
    from bot.permissions import invite_url

    settings = load_settings()
    client_id = args.client_id or settings.application_id
    if client_id is None and settings.discord_token is not None:
        client_id = application_id_from_token(settings.discord_token.get_secret_value())
    if client_id is None:
        raise SettingsError(
            f"no application id: pass --client-id, set {env_name('application_id')}, or set "
            f"{env_name('discord_token')} (the id is read from it)."
        )
    print(invite_url(client_id))
    return EXIT_OK


# --- migrate -----------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return asyncio.run(_migrate(settings))


async def _migrate(settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.storage import Database, MigrationError, apply_migrations, schema_status

    db = await Database.open(settings.database)
    try:
        applied = await apply_migrations(db, SystemClock().now())
        status = await schema_status(db)
    except MigrationError as exc:
        print(f"lantern: database: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        await db.close()
    print(f"applied {len(applied)} migration(s); {settings.database} is at schema {status.current}")
    return EXIT_OK


# --- keys and backups --------------------------------------------------------------


def require_data_key(settings: Settings) -> None:
    if settings.data_key is None and not settings.allow_plaintext:
        raise SettingsError(
            f"{env_name('data_key')} is not set. Lantern encrypts health data at rest: run "
            "`python -m bot gen-key` and put the key in .env (keep a copy somewhere safe), or "
            f"set {env_name('allow_plaintext')}=true to store it unencrypted (not for real "
            "programs)."
        )


def cmd_gen_key(args: argparse.Namespace) -> int:
    from bot.crypto import generate_key

    print(generate_key())
    return EXIT_OK


def cmd_rotate_key(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.data_key is None:
        raise SettingsError(
            f"{env_name('data_key')} is not set; put the new key first, a comma, then the old "
            "key(s), and run rotate-key again."
        )
    configure_logging(settings.log_level, settings.log_format)
    return asyncio.run(_rotate(settings))


async def _rotate(settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.crypto import Cipher, DataKeyError
    from bot.personal_data import rotate_all
    from bot.storage import Database, apply_migrations

    db = await Database.open(settings.database)
    try:
        await apply_migrations(db, SystemClock().now())
        changed = await rotate_all(db, Cipher(settings.data_keys()))
    except DataKeyError as exc:
        print(f"lantern: {exc}; nothing was changed.", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        await db.close()
    print(
        f"re-encrypted {changed} value(s) with the first key. You can now remove the old "
        f"key(s) from {env_name('data_key')}."
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    settings = load_settings()
    target: Path = args.path
    if target.exists():
        print(f"lantern: {target} already exists; choose a new path.", file=sys.stderr)
        return EXIT_CONFIG
    if not settings.database.exists():
        print(f"lantern: no database at {settings.database}", file=sys.stderr)
        return EXIT_CONFIG
    from bot.storage.backup import backup_database

    pages, seconds = backup_database(settings.database, target)
    size = target.stat().st_size / 1_000_000
    print(
        f"backed up {settings.database} to {target} ({size:.1f} MB, {pages} pages) "
        f"in {seconds:.2f} s"
    )
    return EXIT_OK


# --- sandbox -----------------------------------------------------------------------


def cmd_sandbox(args: argparse.Namespace) -> int:
    """No settings are read: the sandbox brings its own token, database and server."""
    configure_logging("WARNING")
    from bot.sandbox import run_sandbox

    return asyncio.run(run_sandbox(sys.stdout))
