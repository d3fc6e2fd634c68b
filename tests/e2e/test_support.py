"""Private conversations with facilitators end-to-end: /talk opens a private thread only the
person and facilitators see; claim, internal notes and close; re-announcement until someone
replies (across restarts); staffed hours; closed DMs; the person leaving; the crisis flow's
and /help-now's "Talk to a facilitator" buttons."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from bot.client import LanternBot
from emulator import Emulator, NotVisible
from emulator.model import Channel, Message
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.common import button_ids, field, text
from tests.e2e.steps.crisis import CRISIS, cohort_with, support_dm, wait_alert
from tests.e2e.steps.support import WORDS, notices, staff_click, talk


def spaces(emu: Emulator) -> list[Channel]:
    return [
        c
        for c in emu.world.channels.values()
        if (c.is_thread and c.name.startswith("#")) or re.fullmatch(r"talk-\d+", c.name or "")
    ]


def reminders(emu: Emulator, clinic: Clinic) -> list[Message]:
    return [m for m in emu.messages_in(clinic.escalations) if "for a reply" in m.content]


async def test_talk_opens_a_private_thread_only_the_person_and_facilitators_see(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    before = len(emu.requests)
    done = await talk(emu, clinic, clinic.bob)
    assert done.ephemeral and "Your conversation is open" in text(done)
    (thread,) = spaces(emu)
    assert thread.is_thread and thread.type == 12  # a private thread
    first = emu.visible_messages(clinic.bob, thread)[0]
    assert WORDS in text(first) and "Something's hard right now" in text(first)
    assert first.mentions == [clinic.bob.user.id]
    assert WORDS in text(emu.visible_messages(clinic.alice, thread)[0])  # facilitators see it
    dev = emu.create_member(clinic.guild, "dev")
    for outsider in (dev, clinic.carol):
        with pytest.raises(NotVisible):
            emu.visible_messages(outsider, thread)
        assert all(WORDS not in str(e.data) for e in emu.events_for(outsider))
    # Facilitators are told where, with the topic, never the words.
    (notice,) = notices(emu, clinic)
    assert WORDS not in text(notice)
    assert field(notice, "Topic") == "Something's hard right now"
    assert notice.mention_roles == [clinic.facilitator_role.id]
    assert {c.split(":")[2] for c in button_ids(notice) if c.startswith("lantern:")} == {
        "claim",
        "note",
        "close",
    }
    assert emu.visible_messages(clinic.carol, clinic.general) == []
    # The words exist in one place only: the private thread.
    holding = {m.channel_id for m in emu.world.messages.values() if WORDS in text(m)}
    assert holding == {thread.id}
    assert emu.count("POST /channels/{channel_id}/threads") == 1 and len(emu.requests) > before


async def test_a_participant_cannot_open_or_read_another_persons_conversation(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await talk(emu, clinic, clinic.bob)
    (thread,) = spaces(emu)
    (notice,) = notices(emu, clinic)
    dev = emu.create_member(clinic.guild, "dev")
    with pytest.raises(NotVisible):
        await emu.say(dev, thread, "hello?")
    with pytest.raises(NotVisible):
        await staff_click(emu, dev, notice, "claim")  # the notice is in a staff channel
    # Even if a participant got hold of a staff button, Lantern checks for itself.
    lantern_ids = [c for c in button_ids(notice) if c.startswith("lantern:")]
    claim = next(c for c in lantern_ids if ":claim:" in c)
    emu.set_overwrite(clinic.escalations, dev, allow=0x400)  # VIEW_CHANNEL only
    refused = await emu.click(dev, notice, claim)
    assert "Only facilitators" in text(refused)
    emu.override_command(clinic.guild, "conversation", clinic.guild)
    res = await emu.invoke(dev, clinic.general, "conversation log", member=clinic.bob)
    assert "Only facilitators" in text(res)
    # The parent channel shows participants nothing, and they can't post in it.
    parent = emu.world.channels[thread.parent_id or 0]
    assert [m for m in emu.visible_messages(dev, parent) if not m.ephemeral] == []


async def test_claim_note_and_close_with_a_reason(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await talk(emu, clinic, clinic.bob)
    (thread,) = spaces(emu)
    (notice,) = notices(emu, clinic)
    res = await staff_click(emu, clinic.alice, notice, "claim")
    await res.wait_for_edit()
    claim = await emu.wait_for_message(thread, check=lambda m: "is with you now" in m.content)
    assert "alice" in claim.content and claim in emu.visible_messages(clinic.bob, thread)
    assert f"With <@{clinic.alice.user.id}>" in field(notice, "Status")

    form = await staff_click(emu, clinic.alice, notice, "note")
    noted = await emu.submit_modal(clinic.alice, form, {"note": "Knows her sponsor; call Friday"})
    await noted.wait_for_edit()
    assert "call Friday" in text(notice)
    assert all("call Friday" not in text(m) for m in emu.visible_messages(clinic.bob, thread))

    form = await staff_click(emu, clinic.alice, notice, "close")
    blank = await emu.submit_modal(clinic.alice, form, {"reason": "   "})
    assert "short reason" in text(blank)
    form = await staff_click(emu, clinic.alice, notice, "close")
    done = await emu.submit_modal(clinic.alice, form, {"reason": "Talked it through, safe plan"})
    await done.wait_for_edit()
    told = await emu.wait_for_message(thread, check=lambda m: "has closed" in m.content)
    assert "Talked it through" not in told.content  # the reason is for facilitators
    assert told.mentions == [clinic.bob.user.id]
    await emu.wait_for(lambda: thread.archived and thread.locked, what="the thread locked")
    assert "Talked it through" in field(notice, "Status")
    assert not any(":close:" in c or ":claim:" in c for c in button_ids(notice))

    log = await emu.invoke(clinic.alice, clinic.general, "conversation log", member=clinic.bob)
    assert log.ephemeral
    assert "closed" in text(log) and "Talked it through" in text(log) and "call Friday" in text(log)


async def test_unanswered_conversation_is_reannounced_until_a_facilitator_replies(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await talk(emu, clinic, clinic.bob)
    (thread,) = spaces(emu)
    travel.shift(timedelta(minutes=15, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: len(reminders(emu, clinic)) == 1, what="a reminder")
    (reminder,) = reminders(emu, clinic)
    assert reminder.mention_roles == [clinic.facilitator_role.id]
    assert WORDS not in reminder.content
    await emu.say(clinic.alice, thread, "Hi Bob, I'm here. Thank you for telling me.")
    # The notice says so once the reply is recorded (the job list alone can be empty for a
    # moment while the reminder re-arms itself).
    (notice,) = notices(emu, clinic)
    await emu.wait_for(lambda: "Replied" in field(notice, "Status"), what="the reply recorded")
    await emu.wait_for(lambda: not configured.scheduler.jobs("support:talk:"))
    travel.shift(timedelta(minutes=40))
    configured.scheduler.wakeup()
    assert len(reminders(emu, clinic)) == 1
    # Bob writes again and nobody answers: he is waiting again, so it is announced again.
    await emu.say(clinic.bob, thread, "are you still there?")
    await emu.wait_for(lambda: len(configured.scheduler.jobs("support:talk:")) == 1)
    travel.shift(timedelta(minutes=15, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: len(reminders(emu, clinic)) == 2, what="a second reminder")


async def test_pending_reannouncement_survives_a_restart_exactly_once(
    emu: Emulator, clinic: Clinic, harness: Harness, travel: time_machine.Coordinates
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await talk(emu, clinic, clinic.bob)
    await harness.stop()
    travel.shift(timedelta(minutes=20))  # down past the re-announcement time
    bot = await harness.start()
    await emu.wait_for(lambda: len(reminders(emu, clinic)) == 1, what="the missed reminder")
    bot = await harness.restart()
    bot.scheduler.wakeup()
    assert len(bot.scheduler.jobs("support:talk:")) == 1  # the next one, re-armed
    assert len(reminders(emu, clinic)) == 1


async def test_claimed_conversation_reminds_the_claimer_not_everyone(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await talk(emu, clinic, clinic.bob)
    (notice,) = notices(emu, clinic)
    await (await staff_click(emu, clinic.alice, notice, "claim")).wait_for_edit()
    travel.shift(timedelta(minutes=15, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: len(reminders(emu, clinic)) == 1)
    (reminder,) = reminders(emu, clinic)
    assert reminder.mention_roles == [] and reminder.mentions == [clinic.alice.user.id]


async def test_closed_dms_make_no_difference(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    done = await talk(emu, clinic, clinic.carol, "Can I miss Thursday's group?", "program")
    assert "Your conversation is open" in text(done)
    (thread,) = spaces(emu)
    assert "Thursday" in text(emu.visible_messages(clinic.carol, thread)[0])
    (notice,) = notices(emu, clinic)
    form = await staff_click(emu, clinic.alice, notice, "close")
    await emu.submit_modal(clinic.alice, form, {"reason": "Answered: yes, with notice"})
    await emu.wait_for_message(thread, check=lambda m: "has closed" in m.content)
    assert emu.dms(clinic.carol) == []  # everything happened in the conversation itself


async def test_the_person_leaving_closes_the_conversation(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await talk(emu, clinic, clinic.bob)
    (thread,) = spaces(emu)
    (notice,) = notices(emu, clinic)
    emu.remove_member(clinic.bob)
    await emu.wait_for(lambda: "left the server" in field(notice, "Status"), what="closed")
    note = await emu.wait_for_message(thread, check=lambda m: "left the server" in m.content)
    assert note in emu.visible_messages(clinic.alice, thread)
    assert not configured.scheduler.jobs("support:talk:")
    log = await emu.invoke(clinic.alice, clinic.general, "conversation log", member=clinic.bob)
    assert "left the server" in text(log)


async def test_second_talk_adds_to_the_open_conversation(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await talk(emu, clinic, clinic.bob)
    again = await talk(emu, clinic, clinic.bob, "Also: can I bring my sister on Friday?", "other")
    assert "added this to it" in text(again)
    (thread,) = spaces(emu)
    assert len(notices(emu, clinic)) == 1
    assert any("my sister" in text(m) for m in emu.visible_messages(clinic.alice, thread))


async def test_empty_first_message_is_refused_and_nothing_opens(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    done = await talk(emu, clinic, clinic.bob, "    ")
    assert done.ephemeral and "Nothing was sent" in text(done)
    assert spaces(emu) == [] and notices(emu, clinic) == []


async def test_talk_needs_a_configured_server(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    res = await emu.invoke(clinic.bob, clinic.general, "talk")
    assert res.ephemeral and "/setup server" in text(res)


async def test_private_channel_when_threads_are_not_possible(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    emu.faults.fail_next("POST /channels/{channel_id}/threads", status=403)
    await talk(emu, clinic, clinic.bob)
    (space,) = spaces(emu)
    assert not space.is_thread and space.name == "talk-1"
    assert WORDS in text(emu.visible_messages(clinic.bob, space)[0])
    assert emu.visible_messages(clinic.alice, space)
    dev = emu.create_member(clinic.guild, "dev")
    with pytest.raises(NotVisible):
        emu.visible_messages(dev, space)
    (notice,) = notices(emu, clinic)
    form = await staff_click(emu, clinic.alice, notice, "close")
    await emu.submit_modal(clinic.alice, form, {"reason": "done here"})
    await emu.wait_for_message(space, check=lambda m: "has closed" in m.content)
    await emu.wait_for(lambda: not emu.permissions(clinic.bob, space) & 0x800, what="read-only")


async def test_outside_staffed_hours_talk_is_honest_and_shows_lines_and_plan_first(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    emu.override_command(clinic.guild, "setup", clinic.facilitator_role)
    hours = await emu.invoke(
        clinic.alice, clinic.general, "setup hours", schedule="Sat 10:00-14:00"
    )
    assert "Sat 10:00-14:00" in text(hours) and "off shift" in text(hours)
    support = configured.get_cog("SafetyPlan")
    await support.store.save_part(  # type: ignore[union-attr]
        clinic.guild.id, clinic.bob.user.id, "warning_signs", "Not sleeping", configured.clock.now()
    )
    done = await talk(emu, clinic, clinic.bob)
    titles = [e.get("title") for e in done.embeds]
    assert titles == [
        "If you need someone right now",
        "Your safety plan",
        "Your conversation is open",
    ]
    assert "988" in text(done) and "Not sleeping" in text(done)
    assert "nobody is on shift" in text(done) and "<t:" in text(done)
    (notice,) = notices(emu, clinic)
    assert notice.mention_roles == []  # nobody is paged at night; the morning reminder does
    (job,) = configured.scheduler.jobs("support:talk:")
    assert job.next_run_time.isoformat().startswith("2026-03-07T16:00")  # Sat 10:00 Chicago


async def test_crisis_talk_button_opens_the_conversation_form(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    support = await support_dm(emu, clinic.bob)
    talk_id = next(c for c in button_ids(support) if ":crisis:talk:" in c)
    form = await emu.click(clinic.bob, support, talk_id)
    assert form.kind == "modal"
    done = await emu.submit_modal(clinic.bob, form, {"topic": ["hard"], "message": "please call"})
    assert "Your conversation is open" in text(done)
    (notice,) = notices(emu, clinic)
    assert field(notice, "From") == "crisis alert #1"


async def test_help_now_offers_a_conversation(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    res = await emu.invoke(clinic.bob, clinic.general, "help-now")
    assert res.message is not None
    start = next(c for c in button_ids(res) if c.startswith("lantern:talk:start:"))
    form = await emu.click(clinic.bob, res.message, start)
    assert form.kind == "modal"
    await emu.submit_modal(clinic.bob, form, {"topic": ["hard"], "message": "rough night"})
    assert len(notices(emu, clinic)) == 1
