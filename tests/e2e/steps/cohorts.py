"""Cohort steps: create one, enrol someone, and agree to the participation agreement."""

from __future__ import annotations

from emulator import Emulator
from emulator.model import Channel, Member, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.common import button_ids, text


def channel(emu: Emulator, clinic: Clinic, name: str) -> Channel:
    found = [
        c
        for c in emu.world.channels.values()
        if c.guild_id == clinic.guild.id and c.name == name and not getattr(c, "deleted", False)
    ]
    assert found, f"no #{name}"
    return found[-1]


async def create(
    emu: Emulator, clinic: Clinic, name: str = "Spring Evening", **extra: object
) -> str:
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort create",
        name=name,
        start="2026-03-02",
        end="2026-05-22",
        **extra,
    )
    assert res.ephemeral
    assert f"Created **{name}**" in text(res), text(res)
    return text(res)


async def enroll(emu: Emulator, clinic: Clinic, member: Member, cohort: str) -> str:
    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort enroll", member=member, cohort=cohort
    )
    assert res.ephemeral
    return text(res)


def agreement_message(emu: Emulator, member: Member) -> Message:
    dms = [m for m in emu.dms(member) if any("consent" in c for c in button_ids(m))]
    assert dms, f"no agreement DM for {member.user.username}"
    return dms[-1]


async def agree(emu: Emulator, member: Member, message: Message) -> str:
    agree_id = next(c for c in button_ids(message) if ":agree:" in c)
    res = await emu.click(member, message, agree_id)
    if res.kind == "deferred_update":  # the bot answers first, then edits the message
        await res.wait_for_edit()
    return text(res)
