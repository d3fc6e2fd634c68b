"""Moderation end-to-end: reports with facilitator buttons, timeouts, purge, history."""

from __future__ import annotations

import pytest

from bot.client import LanternBot
from emulator import Emulator, NotAllowed
from tests.e2e.harness import Clinic
from tests.e2e.steps.cohorts import agree, agreement_message, channel, create, enroll
from tests.e2e.steps.common import button_ids, confirm, field, logged, text


async def report(emu: Emulator, clinic: Clinic, content: str = "you're all idiots @everyone"):  # type: ignore[no-untyped-def]
    bad = await emu.say(clinic.bob, clinic.general, content)
    res = await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", bad)
    # The notice is delivered by the outbox, just after the reporter's answer.
    await emu.wait_for_message(clinic.mod_log, check=lambda m: "Message reported" in text(m))
    return bad, res


async def test_report_reaches_facilitators_privately_without_pings(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    bad, res = await report(emu, clinic)
    assert res.ephemeral and "on its way to the facilitators" in text(res)
    alert = emu.last_message(clinic.mod_log)
    assert alert is not None
    assert "you're all idiots" in text(alert)
    assert field(alert, "Reported by") == f"<@{clinic.carol.user.id}>"
    assert str(bad.id) in field(alert, "Message")
    assert alert.mentions == [] and not alert.mention_everyone
    assert {c.split(":")[2] for c in button_ids(alert)} == {
        "dismiss",
        "delete",
        "timeout",
        "thread",
    }
    # Bob can't see who reported him: the staff channel is hidden from him.
    assert not emu.can_view(clinic.bob, clinic.mod_log)
    again = await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", bad)
    assert "already reported" in text(again)


async def test_facilitator_deletes_reported_message(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    bad, _ = await report(emu, clinic)
    alert = emu.last_message(clinic.mod_log)
    assert alert is not None
    delete = next(c for c in button_ids(alert) if ":delete:" in c)
    res = await emu.click(clinic.alice, alert, delete)
    await res.wait_for_edit()
    assert "Message deleted by" in text(res)
    assert bad.deleted
    assert button_ids(alert) == []
    history = await emu.invoke(clinic.alice, clinic.general, "mod history", member=clinic.bob)
    assert "delete_message" in text(history)


async def test_only_facilitators_can_use_report_buttons(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    bad, _ = await report(emu, clinic)
    alert = emu.last_message(clinic.mod_log)
    assert alert is not None
    # A server admin let someone else into the staff channel by mistake.
    emu.set_overwrite(clinic.mod_log, clinic.carol, allow=0x400 | 0x10000)
    dismiss = next(c for c in button_ids(alert) if ":dismiss:" in c)
    res = await emu.click(clinic.carol, alert, dismiss)
    assert res.ephemeral and "Only facilitators" in text(res)
    assert not bad.deleted and button_ids(alert)


async def test_timeout_from_report_and_talk_to_reporter(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    _, _ = await report(emu, clinic)
    alert = emu.last_message(clinic.mod_log)
    assert alert is not None
    res = await emu.click(
        clinic.alice, alert, next(c for c in button_ids(alert) if ":timeout:" in c)
    )
    assert res.modal is not None
    done = await emu.submit_modal(clinic.alice, res, {"duration": "2h", "reason": "insults"})
    assert "Timed out" in text(done), text(done)
    assert emu.member(clinic.guild, clinic.bob).communication_disabled_until is not None
    with pytest.raises(NotAllowed):
        await emu.say(clinic.bob, clinic.general, "still talking")

    talk = await emu.click(
        clinic.alice, alert, next(c for c in button_ids(alert) if ":thread:" in c)
    )
    assert "Opened" in text(talk)
    thread = next(c for c in emu.world.channels.values() if c.is_thread)
    assert emu.can_view(clinic.carol, thread) and not emu.can_view(clinic.bob, thread)


async def test_mod_timeout_validation_and_log(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    bad = await emu.invoke(
        clinic.alice, clinic.general, "mod timeout", member=clinic.bob, duration="soon", reason="x"
    )
    assert "isn't a duration" in text(bad)
    too_long = await emu.invoke(
        clinic.alice, clinic.general, "mod timeout", member=clinic.bob, duration="30d", reason="x"
    )
    assert "at most 28 days" in text(too_long)
    peer = await emu.invoke(
        clinic.alice, clinic.general, "mod timeout", member=clinic.alice, duration="1h", reason="x"
    )
    assert "yourself" in text(peer)
    by_participant = await emu.invoke(
        clinic.carol, clinic.general, "mod timeout", member=clinic.bob, duration="1h", reason="x"
    )
    assert "Only facilitators" in text(by_participant)
    assert emu.member(clinic.guild, clinic.bob).communication_disabled_until is None

    ok = await emu.invoke(
        clinic.alice,
        clinic.general,
        "mod timeout",
        member=clinic.bob,
        duration="10m",
        reason="spam",
    )
    assert "Timed out" in text(ok)
    assert "spam" in (await logged(emu, clinic.mod_log, "timed out")).content
    undo = await emu.invoke(clinic.alice, clinic.general, "mod untimeout", member=clinic.bob)
    assert "can talk again" in text(undo)
    history = await emu.invoke(clinic.alice, clinic.general, "mod history", member=clinic.bob)
    assert "**untimeout**" in text(history) and "**timeout**" in text(history)


async def test_purge_only_in_cohort_channels(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    group = channel(emu, clinic, "group")
    for i in range(5):
        await emu.say(clinic.bob, group, f"message {i}")
    res = await emu.invoke(clinic.alice, group, "mod purge", n=3)
    assert "can't be undone" in text(res) and len(emu.messages_in(group)) == 5  # asks first
    assert "Deleted 3 message(s)" in await confirm(emu, clinic.alice, res)
    assert [m.content for m in emu.messages_in(group)] == ["message 0", "message 1"]
    elsewhere = await emu.invoke(clinic.alice, clinic.general, "mod purge", n=3)
    assert "only works in a cohort" in text(elsewhere)
