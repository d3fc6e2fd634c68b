"""Work that outlasts the interaction token's 15 minutes: Discord then refuses the followup
(401 50027), so the answer reaches the person by DM instead (participants get the answer,
staff a plain notice, never other people's data), logged at WARNING with ids, not ERROR.

The emulator enforces the token's lifetime on its own clock; a stalled request holds the bot
mid-work while the test moves the wall clock past 15 minutes."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine

from bot.client import LanternBot
from emulator import Emulator
from emulator.model import Member, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.scheduler import settle

PAST_THE_TOKEN = timedelta(minutes=16)
STALL = 2.0  # seconds: long enough that the clock moves before the bot answers


async def late_dm(emu: Emulator, who: Member, fragment: str) -> Message:
    def found() -> Message | None:
        return next((m for m in emu.dms(who) if fragment in m.content), None)

    return await emu.wait_for(found, what="the late answer by DM")


def expiry_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "token expired" in r.getMessage()]


async def test_a_participants_late_answer_comes_by_dm(
    travel: time_machine.Coordinates,
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu.faults.stall("POST /users/@me/channels", STALL, times=1)  # opening the DM for the file
    res = await emu.invoke(clinic.bob, clinic.general, "mydata export", settle=False)
    assert res.kind == "deferred"
    travel.shift(PAST_THE_TOKEN)
    late = await late_dm(emu, clinic.bob, "took longer than Discord lets me answer")
    assert "`/mydata export`" in late.content and "I've sent you your data by DM." in late.content
    assert any(m.attachments for m in emu.dms(clinic.bob))  # the export itself arrived
    (warning,) = expiry_warnings(caplog)
    assert warning.levelno == logging.WARNING
    assert warning.interaction_id and warning.user_id == clinic.bob.user.id  # type: ignore[attr-defined]
    assert warning.code == 50027  # type: ignore[attr-defined]


async def test_staff_get_a_notice_without_the_result(
    travel: time_machine.Coordinates,
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu.faults.stall("POST /guilds/{guild_id}/channels", STALL, times=1)
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort create",
        name="Spring Evening",
        start="2026-03-02",
        end="2026-05-22",
        settle=False,
    )
    assert res.kind == "deferred"
    travel.shift(PAST_THE_TOKEN)
    late = await late_dm(emu, clinic.alice, "took longer than Discord lets me answer")
    assert "Your `/cohort create` finished" in late.content
    assert "I don't send staff information by DM" in late.content
    assert "Created **Spring Evening**" not in "".join(m.content for m in emu.dms(clinic.alice))
    assert await configured.db.fetch_all("SELECT id FROM cohorts")  # the work itself was done
    assert len(expiry_warnings(caplog)) == 1


async def test_a_cogs_own_late_followup_is_explained_plainly(
    travel: time_machine.Coordinates,
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    opened = await emu.invoke(clinic.bob, clinic.general, "talk")
    emu.faults.stall("POST /channels/{channel_id}/messages", STALL, times=1)  # the first post
    res = await emu.submit_modal(
        clinic.bob, opened, {"topic": ["program"], "message": "when is group?"}, settle=False
    )
    assert res.kind == "deferred"
    travel.shift(PAST_THE_TOKEN)
    late = await late_dm(emu, clinic.bob, "took longer than Discord lets me answer")
    assert "It may have gone through" in late.content and "the form you sent" in late.content
    assert len(expiry_warnings(caplog)) == 1
    await settle(configured)  # the conversation's re-announcement, now due, finishes first
