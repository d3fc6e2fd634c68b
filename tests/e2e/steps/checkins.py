"""Check-in steps: the offer after agreeing, saying yes to it, and the prompts a person got."""

from __future__ import annotations

from emulator import Emulator
from emulator.model import Member, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.common import button_ids, text


async def offer(emu: Emulator, member: Member) -> Message:
    def found() -> Message | None:
        return next(
            (m for m in emu.dms(member) if any(":optin:" in c for c in button_ids(m))), None
        )

    message = await emu.wait_for(found, what="the check-in offer")
    assert message is not None
    return message


async def opt_in(emu: Emulator, clinic: Clinic, member: Member) -> str:
    message = await offer(emu, member)
    yes = next(c for c in button_ids(message) if c.endswith(":yes"))
    res = await emu.click(member, message, yes)
    return text(res)


def prompts(emu: Emulator, member: Member) -> list[Message]:
    return [m for m in emu.dms(member) if any(":mood:" in c for c in button_ids(m))]
