"""Support steps: /talk to facilitators, the conversation notices staff get, and their
buttons on those notices."""

from __future__ import annotations

from emulator import Emulator
from emulator.model import Member, Message
from emulator.results import InteractionResult
from tests.e2e.harness import Clinic
from tests.e2e.steps.common import button_ids

WORDS = "I relapsed last night and I feel ashamed to say it in group"


async def talk(
    emu: Emulator,
    clinic: Clinic,
    who: Member,
    message: str = WORDS,
    topic: str = "hard",
) -> InteractionResult:
    opened = await emu.invoke(who, clinic.general, "talk")
    assert opened.kind == "modal", opened
    return await emu.submit_modal(who, opened, {"topic": [topic], "message": message})


def notices(emu: Emulator, clinic: Clinic) -> list[Message]:
    return [
        m
        for m in emu.messages_in(clinic.escalations)
        if m.embeds and m.embeds[0].get("title", "").startswith("Conversation #")
    ]


async def staff_click(
    emu: Emulator, who: Member, notice: Message, action: str
) -> InteractionResult:
    custom_id = next(c for c in button_ids(notice) if f":talk:{action}:" in c)
    return await emu.click(who, notice, custom_id)
