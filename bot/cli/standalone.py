"""Subcommands that read no settings: `gen-key`, `classify` and `sandbox`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.exits import EXIT_OK
from bot.logs import configure_logging


def cmd_gen_key(args: argparse.Namespace) -> int:
    from bot.crypto import generate_key

    print(generate_key())
    return EXIT_OK


def cmd_classify(args: argparse.Namespace) -> int:
    """The crisis detector on its own: no settings, no database, no network."""
    from cogs.crisis.classify import run

    return run(sys.stdin, sys.stdout)


def cmd_sandbox(args: argparse.Namespace) -> int:
    """No settings are read: the sandbox brings its own token, database and server."""
    configure_logging("WARNING")
    from bot.sandbox import run_sandbox

    return asyncio.run(run_sandbox(sys.stdout))
