"""Buttons and selects on persistent views, ephemeral and DM components, modals."""

from __future__ import annotations

import pytest

from emulator import DriverError, Emulator, NotVisible
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot


async def test_persistent_button_updates_the_message(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    posted = await emu.invoke(program.alice, program.general, "panel")
    assert posted.message is not None
    assert posted.message.custom_ids() == ["lantern:rsvp:yes", "lantern:pick"]
    clicked = await emu.click(program.bob, posted.message, "lantern:rsvp:yes")
    assert clicked.kind == "update"
    assert clicked.message is posted.message
    assert posted.message.content == "RSVP yes: bob"


async def test_select_menu_answers_ephemerally(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    posted = await emu.invoke(program.alice, program.general, "panel")
    assert posted.message is not None
    picked = await emu.select(program.bob, posted.message, "lantern:pick", ["3"])
    assert picked.content == "picked 3" and picked.ephemeral
    with pytest.raises(DriverError, match="has no option '9'"):
        await emu.select(program.bob, posted.message, "lantern:pick", ["9"])


async def test_buttons_still_work_after_the_gateway_reconnects(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    posted = await emu.invoke(program.alice, program.general, "panel")
    assert posted.message is not None
    await emu.faults.drop_connection()
    await emu.wait_for(lambda: emu.gateway.stats.resumes == 1)
    clicked = await emu.click(program.bob, posted.message, "lantern:rsvp:yes")
    assert clicked.content == "RSVP yes: bob"


async def test_buttons_on_an_ephemeral_message_belong_to_its_user(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    asked = await emu.invoke(program.bob, program.general, "confirm")
    assert asked.ephemeral and asked.message is not None
    with pytest.raises(NotVisible):
        await emu.click(program.alice, asked.message, "lantern:confirm")
    answered = await emu.click(program.bob, asked.message, "lantern:confirm")
    assert answered.content == "confirmed"


async def test_a_modal_opens_and_its_submission_reaches_the_bot(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    opened = await emu.invoke(program.bob, program.general, "note")
    assert opened.kind == "modal"
    assert opened.modal is not None and set(opened.modal.fields) == {"note", "mood"}
    with pytest.raises(DriverError, match="'note' is required"):
        await emu.submit_modal(program.bob, opened, {"mood": "calm"})
    with pytest.raises(DriverError, match="opened for bob"):
        await emu.submit_modal(program.alice, opened, {"note": "hi"})
    submitted = await emu.submit_modal(program.bob, opened, {"note": "feeling better"})
    assert submitted.content == "noted: feeling better (no mood)"
    assert submitted.ephemeral


async def test_dm_with_a_button(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    await emu.invoke(program.alice, program.general, "checkin", member=program.bob)
    [dm] = emu.dms(program.bob)
    assert dm.content == "How are you today?"
    clicked = await emu.click(program.bob, dm, "lantern:checkin:ok")
    assert clicked.kind == "update"
    assert dm.content == "Thanks for checking in." and dm.components == []
