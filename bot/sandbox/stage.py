"""`Stage`: what a scene gets. People act through it, and every action is transcribed.

    await stage.invoke(w.dana, w.general, "setup server", timezone="America/Chicago")
    await stage.say(w.bob, w.general, "hi all")
    await stage.click(w.bob, message, "I agree")              # by label or custom_id
    await stage.admin(w.dana, "gives Alice the @Facilitator role", lambda: emu.add_role(...))
    await stage.act(w.bob, "does something else", coroutine_factory)   # anything, transcribed

Each prints `Name › what`, runs the action, waits until the bot has gone quiet, then prints
what each person now sees (see transcript.py). Raw access: stage.emu, stage.bot, stage.world.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.client import LanternBot
from bot.sandbox.transcript import Transcript
from bot.sandbox.world import DemoWorld, Person
from bot.storage.guilds import GuildConfig
from emulator import Emulator
from emulator.errors import DriverError
from emulator.model import Channel, Message, walk_components
from emulator.results import InteractionResult

T = TypeVar("T")

QUIET_FOR = 0.04
"""Seconds without any request or change before an action counts as finished."""
QUIET_LIMIT = 3.0


@dataclass
class Stage:
    emu: Emulator
    bot: LanternBot
    world: DemoWorld
    transcript: Transcript

    async def act(
        self,
        who: Person,
        what: str,
        action: Callable[[], Awaitable[T]],
        *,
        where: Channel | None = None,
    ) -> T | None:
        """Transcribe `who › what`, run `action`, then show what changed for everyone.

        If Discord itself refuses (the person cannot see the channel or use the command),
        that is transcribed too and None is returned."""
        self.transcript.action(who, what, where)
        before = self.transcript.snapshot()
        try:
            result = await action()
        except DriverError as exc:
            self.transcript.outcome(f"Discord refuses: {exc}.")
            result = None
        await self.settle()
        self.transcript.changes(before)
        return result

    async def invoke(
        self, who: Person, channel: Channel, command: str, **options: Any
    ) -> InteractionResult | None:
        """`who` runs the slash command `command` ("group sub") in `channel`."""
        return await self.act(
            who,
            self.transcript.command(command, options),
            lambda: self.emu.invoke(who.member, channel, command, options),
            where=channel,
        )

    async def say(self, who: Person, channel: Channel, content: str) -> Message | None:
        return await self.act(
            who,
            f"writes: {content}",
            lambda: self.emu.say(who.member, channel, content),
            where=channel,
        )

    async def dm(self, who: Person, content: str) -> Message | None:
        """`who` writes to Lantern privately."""
        return await self.act(
            who, f"DMs Lantern: {content}", lambda: self.emu.dm(who.user, content)
        )

    async def click(self, who: Person, message: Message, button: str) -> InteractionResult | None:
        """Press the button labelled (or with custom_id) `button` on `message`."""
        custom_id = _button_id(message, button)
        return await self.act(
            who,
            f"presses [{button}]",
            lambda: self.emu.click(who.member, message, custom_id),
            where=self.emu.world.channels[message.channel_id],
        )

    async def admin(self, who: Person, what: str, change: Callable[[], object]) -> None:
        """A change made in Discord's own settings screens (roles, permissions, channels)."""

        async def run() -> None:
            change()

        await self.act(who, what, run)

    async def settle(self) -> None:
        """Wait until nothing has changed and no request arrived for QUIET_FOR seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIET_LIMIT
        state = self._activity()
        while loop.time() < deadline:
            await asyncio.sleep(QUIET_FOR)
            now = self._activity()
            if now == state:
                return
            state = now

    def _activity(self) -> tuple[int, int]:
        return self.emu.world.version, len(self.emu.requests)

    async def config(self) -> GuildConfig | None:
        """Lantern's saved configuration for the demo server."""
        return await self.bot.guild_configs.get(self.world.guild.id)


def _button_id(message: Message, button: str) -> str:
    for component in walk_components(message.components):
        if button in (component.get("label"), component.get("custom_id")):
            return str(component["custom_id"])
    raise DriverError(f"no button {button!r} on that message")
