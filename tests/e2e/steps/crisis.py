"""Crisis steps: a cohort to speak in, a message that is a crisis, and what it brings
(facilitators' alerts and repeats, the person's support DM)."""

from __future__ import annotations

from emulator import Emulator
from emulator.model import Channel, Member, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.cohorts import agree, agreement_message, channel, create, enroll
from tests.e2e.steps.common import button_ids, text

CRISIS = "i can't do this anymore, i want to kill myself tonight"


async def cohort_with(emu: Emulator, clinic: Clinic, *members: Member) -> Channel:
    """Spring Evening with `members` in it (agreed); its #group channel."""
    await create(emu, clinic)
    for member in members:
        await enroll(emu, clinic, member, "Spring Evening")
        if member is clinic.carol:  # DMs closed: the agreement waits in a private thread
            thread = next(c for c in emu.world.channels.values() if c.is_thread)
            message = next(m for m in emu.messages_in(thread) if button_ids(m))
        else:
            message = agreement_message(emu, member)
        await agree(emu, member, message)
    return channel(emu, clinic, "group")


def alerts(emu: Emulator, clinic: Clinic) -> list[Message]:
    return [m for m in emu.messages_in(clinic.escalations) if m.embeds]


async def wait_alert(emu: Emulator, clinic: Clinic, count: int = 1) -> Message:
    await emu.wait_for(lambda: len(alerts(emu, clinic)) >= count, what="an alert")
    return alerts(emu, clinic)[count - 1]


async def support_dm(emu: Emulator, who: Member) -> Message:
    def found() -> Message | None:
        return next((m for m in emu.dms(who) if "carry this alone" in text(m)), None)

    message = await emu.wait_for(found, what="the support DM")
    assert message is not None
    return message


def realerts(emu: Emulator, clinic: Clinic) -> list[Message]:
    return [m for m in emu.messages_in(clinic.escalations) if "still waiting" in m.content]
