"""The database's maintenance subcommands: `migrate`, `rotate-key` (re-encrypt with the new
data key), `backup`, and `migrate-data` (SQLite to PostgreSQL)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.exits import EXIT_CONFIG, EXIT_OK
from bot.logs import configure_logging
from config.settings import Settings, SettingsError, env_name, load_settings


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return asyncio.run(_migrate(settings))


async def _migrate(settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.storage import MigrationError, apply_migrations, open_database, schema_status

    db = await open_database(settings.database)
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
    from bot.storage import apply_migrations, open_database

    db = await open_database(settings.database)
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
    source = settings.database_path
    if source is None:
        print(
            "lantern: the data is in PostgreSQL; back it up with pg_dump (see the README, "
            "'Running at scale').",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if not source.exists():
        print(f"lantern: no database at {settings.database}", file=sys.stderr)
        return EXIT_CONFIG
    from bot.storage.backup import backup_database

    pages, seconds = backup_database(source, target)
    size = target.stat().st_size / 1_000_000
    print(
        f"backed up {settings.database} to {target} ({size:.1f} MB, {pages} pages) "
        f"in {seconds:.2f} s"
    )
    return EXIT_OK


def cmd_migrate_data(args: argparse.Namespace) -> int:
    """Copy the SQLite database `--from` into the empty PostgreSQL database `--to` (default:
    LANTERN_DATABASE)."""
    from bot.storage import without_password
    from config.settings import database_path

    source: Path = args.source
    target = args.target or load_settings().database
    if database_path(target) is not None:
        print(
            f"lantern: the target must be a PostgreSQL database (postgresql://...): pass --to "
            f"or set {env_name('database')}; got {target}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    if not source.is_file():
        print(f"lantern: {source} is not a file; --from names the SQLite database to copy.",
              file=sys.stderr)  # fmt: skip
        return EXIT_CONFIG
    print(f"copying {source} into {without_password(target)} (same data key needed after)")
    return asyncio.run(_migrate_data(source, target))


async def _migrate_data(source: Path, target: str) -> int:
    from bot.clock import SystemClock
    from bot.storage import MigrationError, apply_migrations, open_database
    from bot.storage.database import Database
    from bot.storage.postgres import PostgresDatabase
    from bot.storage.transfer import TransferError, copy_database

    now = SystemClock().now()
    src = await Database.open(source)
    try:
        dst = await open_database(target)
    except Exception as exc:  # asyncpg's many connection errors: one readable line
        await src.close()
        print(f"lantern: cannot open the target: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        if not isinstance(dst, PostgresDatabase):
            raise TransferError("the target is not a PostgreSQL database")
        await apply_migrations(src, now)
        await apply_migrations(dst, now)
        copied = await copy_database(src, dst)
    except (TransferError, MigrationError) as exc:
        print(f"lantern: {exc}; nothing was copied.", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        await src.close()
        await dst.close()
    rate = copied.total / copied.seconds if copied.seconds else 0.0
    print(
        f"copied {copied.total} rows in {len(copied.rows)} tables in {copied.seconds:.1f} s "
        f"({rate:,.0f} rows/s); every table's count checked. Point {env_name('database')} at "
        "the new database and start Lantern with the same data key."
    )
    return EXIT_OK
