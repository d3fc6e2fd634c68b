"""Steps every feature's tests share: readers for what people see (content and embeds
flattened to text, a field, the buttons' custom_ids), waiting for a staff-log post, and
answering a confirmation question."""

from __future__ import annotations

from typing import Any

from emulator import Emulator
from emulator.building import Who
from emulator.model import Channel, Message
from emulator.results import InteractionResult


def embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title", ""), embed.get("description", "")]
    for field in embed.get("fields", []):
        parts += [field["name"], field["value"]]
    footer = embed.get("footer") or {}
    parts.append(footer.get("text", ""))
    return "\n".join(p for p in parts if p)


def text(item: InteractionResult | Message | None) -> str:
    """Content plus every embed, as one string to assert on."""
    if item is None:
        return ""
    parts = [item.content, *(embed_text(e) for e in item.embeds)]
    return "\n".join(p for p in parts if p)


def field(item: InteractionResult | Message, name: str) -> str:
    for embed in item.embeds:
        for f in embed.get("fields", []):
            if f["name"] == name:
                return str(f["value"])
    raise AssertionError(f"no field {name!r} in {text(item)!r}")


def button_ids(item: InteractionResult | Message) -> list[str]:
    ids = []
    for row in item.components:
        for component in row.get("components", [row]):
            if "custom_id" in component:
                ids.append(component["custom_id"])
    return ids


async def logged(emu: Emulator, channel: Channel, fragment: str) -> Message:
    """Wait for the bot's post containing `fragment` in `channel` (staff-log notices are
    delivered by the outbox, just after the command that caused them answers)."""
    return await emu.wait_for_message(channel, check=lambda m: fragment in text(m))


async def confirm(emu: Emulator, who: Who, asked: InteractionResult) -> str:
    """Press the first button (Confirm) of a confirmation question; the text of the answer
    that follows."""
    assert asked.message is not None, text(asked)
    click = await emu.click(who, asked.message, button_ids(asked)[0])
    return "\n".join(text(m) for m in await click.wait_for_followups(1))
