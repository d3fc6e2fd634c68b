"""`python -m bot sandbox`: Lantern at work on an emulated Discord, as a readable transcript.

Starts the local Discord emulator (emulator) with a demo server, runs the real Lantern
bot against it with a throwaway database, plays the scenes in `scenes.py` and prints what
each person sees. No token, no Discord account, no network: everything stays on 127.0.0.1.

    code = await run_sandbox(sys.stdout)                 # every registered scene
    code = await run_sandbox(out, scenes=SCENES[:2])     # or a chosen few
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.client import LanternBot
from bot.clock import SystemClock
from bot.sandbox.scenes import SCENES, Scene, scene
from bot.sandbox.stage import Stage
from bot.sandbox.transcript import Transcript
from bot.sandbox.world import SERVER_NAME, DemoWorld, Person, build_world
from config.settings import Settings
from emulator import Emulator, wiring

__all__ = ["SCENES", "DemoWorld", "Person", "Scene", "Stage", "run_sandbox", "scene"]

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1

HEADER = f"""\
Lantern sandbox: a short, scripted visit to a program's Discord server.

This is an emulated Discord running inside this process on 127.0.0.1, with the real
Lantern bot connected to it and a throwaway database. No Discord account or token is
used and nothing leaves this machine. The server is "{SERVER_NAME}"; the people in it:
"""

FOOTER = """\
To run Lantern on a real Discord server:
  1. Create an application in the Discord Developer Portal (https://discord.com/developers),
     and on its Bot page turn on SERVER MEMBERS INTENT and MESSAGE CONTENT INTENT.
  2. cp .env.example .env; put the bot token in LANTERN_DISCORD_TOKEN, and a key from
     `python -m bot gen-key` in LANTERN_DATA_KEY (it encrypts health data at rest).
  3. python -m bot check-config      (says what is missing, if anything)
  4. python -m bot invite-url        (open the link to add Lantern to your server)
  5. python -m bot run               (then /setup server in your server, as Dana did)
"""


def sandbox_settings(token: str, database: Path) -> Settings:
    """Settings from explicit values only: LANTERN_* variables and .env are ignored."""
    values: dict[str, Any] = {
        name: field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
    }
    values.update(discord_token=token, database=database, log_level="WARNING")
    return Settings(_env_file=None, **values)


async def run_sandbox(out: TextIO, *, scenes: Sequence[Scene] | None = None) -> int:
    """Play `scenes` (default: all of SCENES) and write the transcript to `out`.

    Returns 0, or 1 if a scene failed (the error is logged; the bot and the emulator are
    shut down either way)."""
    chosen = list(SCENES if scenes is None else scenes)
    out.write(HEADER)
    with tempfile.TemporaryDirectory(prefix="lantern-sandbox-") as folder:
        emu = Emulator()
        try:
            await emu.start()
            world = build_world(emu)
            transcript = Transcript(out, emu, world)
            for person in world.people:
                transcript.line(f"  {person.name:<{transcript.pad}}  {person.about}")
            transcript.line("Lantern joined with exactly the permissions its invite link asks for.")
            bot = LanternBot(
                sandbox_settings(emu.bot_token, Path(folder) / "lantern.db"),
                clock=SystemClock(),
                guild_ready_timeout=0.05,
            )
            async with wiring.connected(emu, bot):
                stage = Stage(emu, bot, world, transcript)
                for number, each in enumerate(chosen, start=1):
                    transcript.heading(f"{number}. {each.title}")
                    await each.play(stage)
        except Exception:
            log.exception("the sandbox stopped early")
            out.write("\nThe sandbox stopped early because of an error (see above).\n")
            return EXIT_FAILED
        finally:
            await emu.stop()
    out.write("\n" + "─" * 88 + "\n" + FOOTER)
    return EXIT_OK
