"""`lantern run`: connect to Discord and serve until a signal, then shut down cleanly."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

from bot.cli.exits import EXIT_CONFIG, EXIT_OK
from bot.logs import configure_logging
from config.resources import load_resources
from config.settings import Settings, SettingsError, env_name, load_settings, require_token

if TYPE_CHECKING:
    import discord

log = logging.getLogger("bot")


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    token = require_token(settings)
    require_data_key(settings)
    configure_logging(settings.log_level, settings.log_format)
    resources = load_resources()
    from bot.sharded import make_bot

    return asyncio.run(run_until_stopped(make_bot(settings, resources=resources), token))


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


def require_data_key(settings: Settings) -> None:
    if settings.data_key is None and not settings.allow_plaintext:
        raise SettingsError(
            f"{env_name('data_key')} is not set. Lantern encrypts health data at rest: run "
            "`python -m bot gen-key` and put the key in .env (keep a copy somewhere safe), or "
            f"set {env_name('allow_plaintext')}=true to store it unencrypted (not for real "
            "programs)."
        )
