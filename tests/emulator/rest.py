"""Raw REST calls to the emulator, as the bot's HTTP client would make them, for limit tests.

`Rest.call` sends JSON (or multipart with `payload_json`) with the bot's token and returns
the status and decoded body; `interaction` makes a fresh interaction to answer, so each
callback is the first response to its own interaction.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from emulator import Emulator
from emulator.interactions import new_interaction
from emulator.model import Channel, Member, Message

COMMAND, COMPONENT, AUTOCOMPLETE = 2, 3, 4


class Rest:
    def __init__(self, emu: Emulator, session: aiohttp.ClientSession) -> None:
        self.emu = emu
        self.session = session

    async def call(
        self, method: str, path: str, body: Any = None, *, files: dict[str, bytes] | None = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bot {self.emu.bot_token}"}
        url = self.emu.api_base + path
        if files is not None:
            form = aiohttp.FormData()
            form.add_field("payload_json", json.dumps(body), content_type="application/json")
            for index, (name, data) in enumerate(files.items()):
                form.add_field(f"files[{index}]", data, filename=name)
            request = self.session.request(method, url, data=form, headers=headers)
        else:
            request = self.session.request(method, url, json=body, headers=headers)
        async with request as response:
            text = await response.text()
            return response.status, json.loads(text) if text else None

    def interaction(
        self, kind: int, who: Member, channel: Channel, message: Message | None = None
    ) -> str:
        """A new interaction from `who`; returns its callback path."""
        world = self.emu.world
        inter = new_interaction(
            world,
            self.emu.config,
            type=kind,
            user=who.user,
            channel=channel,
            data={"name": "probe"},
            message=message,
        )
        return f"/interactions/{inter.id}/{inter.token}/callback"

    def webhook(self, callback_path: str) -> str:
        """The followup webhook path of the interaction behind `callback_path`."""
        token = callback_path.split("/")[3]
        return f"/webhooks/{self.emu.world.application_id}/{token}"


def named(errors: dict[str, Any], path: tuple[str | int, ...]) -> list[str]:
    """The error codes Discord's `errors` tree gives for the field at `path` ([] if none)."""
    node: Any = errors
    for key in path:
        if not isinstance(node, dict) or str(key) not in node:
            return []
        node = node[str(key)]
    return [e["code"] for e in node.get("_errors", [])] if isinstance(node, dict) else []


def refused(status: int, data: Any, path: tuple[str | int, ...]) -> bool:
    """400 50035 Invalid Form Body naming `path`."""
    return (
        status == 400
        and isinstance(data, dict)
        and data.get("code") == 50035
        and bool(named(data.get("errors") or {}, path))
    )
