"""`python -m bot` / `lantern`: run the bot and its admin commands.

Exit codes: 0 success, 2 configuration problem (a readable line says what to fix), 1 other.
This module holds the parser and the dispatch; each subcommand's body lives in a sibling
module (`serve`, `check_config`, `invite`, `database`, `standalone`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli.check_config import cmd_check_config
from bot.cli.database import cmd_backup, cmd_migrate, cmd_migrate_data, cmd_rotate_key
from bot.cli.exits import EXIT_CONFIG, EXIT_OK
from bot.cli.invite import cmd_invite_url
from bot.cli.serve import cmd_run
from bot.cli.standalone import cmd_classify, cmd_gen_key, cmd_sandbox
from config.resources import DataFileError
from config.settings import SettingsError, env_name

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
    migrate_data = sub.add_parser(
        "migrate-data",
        help="copy a SQLite database into an empty PostgreSQL database (moving to several "
        "processes); stop the bot first, keep the same LANTERN_DATA_KEY",
    )
    migrate_data.add_argument(
        "--from", dest="source", type=Path, required=True, help="the SQLite file to copy"
    )
    migrate_data.add_argument(
        "--to",
        dest="target",
        help=f"postgresql://user:password@host/db (default: {env_name('database')})",
    )
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
        "migrate-data": cmd_migrate_data,
        "sandbox": cmd_sandbox,
    }
    try:
        return handlers[args.command or "run"](args)
    except (SettingsError, DataFileError) as exc:
        print(f"lantern: {exc}", file=sys.stderr)
        return EXIT_CONFIG


__all__ = ["EXIT_CONFIG", "EXIT_OK", "build_parser", "main"]
