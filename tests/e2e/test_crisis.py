"""Crisis detection and escalation end-to-end: the person is reached, facilitators are
alerted (grouped, re-alerted until acknowledged, across restarts), and nothing leaks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.client import LanternBot
from cogs.crisis import escalation
from cogs.crisis.detector import Detector
from cogs.crisis.model import DEFAULT_MODEL_PATH, CrisisModel
from cogs.crisis.rules import DEFAULT_RULES_PATH
from emulator import Emulator, NotVisible
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import agree, agreement_message, enroll
from tests.e2e.steps.common import button_ids, field, text
from tests.e2e.steps.crisis import CRISIS, alerts, cohort_with, realerts, support_dm, wait_alert


async def test_crisis_message_reaches_person_and_facilitators(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    said = await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    assert "Crisis alert" in text(alert)
    assert "kill myself" in alert.embeds[0]["description"]
    assert said.id and str(said.id) in field(alert, "Where")
    assert field(alert, "Who") == f"<@{clinic.bob.user.id}>"
    assert alert.mention_roles == [clinic.facilitator_role.id]  # crisis pings the role
    assert alert.mentions == [] and not alert.mention_everyone
    assert {c.split(":")[2] for c in button_ids(alert)} == {"ack", "reached", "false"}
    support = await support_dm(emu, clinic.bob)
    assert "988" in text(support) and "not an emergency service" in text(support)
    # The person's buttons, then coping tools (support: box breathing and the exercise menu).
    assert {c.split(":")[2] for c in button_ids(support)} == {"safe", "talk", "box", "menu"}
    # The original message is never touched; participants never see the alert.
    assert not said.deleted and said.content == CRISIS
    with pytest.raises(NotVisible):
        emu.visible_messages(clinic.bob, clinic.escalations)
    assert all(
        e.data.get("channel_id") != str(clinic.escalations.id)
        for e in emu.events_for(clinic.bob, "MESSAGE_CREATE")
    )


async def test_figures_of_speech_and_unwatched_channels_are_left_alone(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, "this shift is killing me lol, I killed it at work though")
    await emu.say(clinic.bob, clinic.general, CRISIS)  # not a cohort or alumni channel
    await emu.say(clinic.alice, group, "if you ever want to kill yourself, call 988")
    marker = await emu.say(clinic.bob, group, "I used to want to die, two years clean now")
    await emu.say(clinic.bob, group, CRISIS)  # a real one after, to prove the bot kept up
    await wait_alert(emu, clinic)
    assert len(alerts(emu, clinic)) == 1
    assert "two years clean" not in text(alerts(emu, clinic)[0])
    assert marker.content


async def test_messages_in_a_burst_join_one_alert_and_one_dm(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, "everyone would be better off without me")
    first = await wait_alert(emu, clinic)
    await emu.say(clinic.bob, group, "i have the pills lined up")
    thread = await emu.wait_for(
        lambda: next((c for c in emu.world.channels.values() if c.name == "Alert #1"), None)
    )
    follow = await emu.wait_for_message(thread, check=lambda m: "pills" in m.content)
    assert follow.mentions == []
    assert len(alerts(emu, clinic)) == 1
    await support_dm(emu, clinic.bob)
    supports = [m for m in emu.dms(clinic.bob) if "carry this alone" in text(m)]
    assert len(supports) == 1  # at most one per 30 minutes
    await emu.wait_for(lambda: "Messages" in text(first), what="the alert to count 2 messages")
    assert "2 (see the thread)" in field(first, "Messages")


async def test_unacknowledged_crisis_is_repeated_until_acknowledged(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    travel: time_machine.Coordinates,
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    travel.shift(timedelta(minutes=10, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: len(realerts(emu, clinic)) == 1)
    (repeat,) = realerts(emu, clinic)
    assert repeat.mention_roles == [clinic.facilitator_role.id]

    ack = next(c for c in button_ids(alert) if ":ack:" in c)
    res = await emu.click(clinic.alice, alert, ack)
    await res.wait_for_edit()
    assert "Acknowledged by" in field(alert, "Status")
    assert ":ack:" not in " ".join(button_ids(alert))
    travel.shift(timedelta(minutes=30))
    configured.scheduler.wakeup()
    assert not configured.scheduler.jobs("crisis:realert:")
    assert len(realerts(emu, clinic)) == 1


async def test_pending_realert_survives_a_restart_exactly_once(
    emu: Emulator,
    clinic: Clinic,
    harness: Harness,
    travel: time_machine.Coordinates,
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    await harness.stop()
    travel.shift(timedelta(minutes=25))  # down past the re-alert time
    bot = await harness.start()
    await emu.wait_for(lambda: len(realerts(emu, clinic)) == 1)
    bot = await harness.restart()
    bot.scheduler.wakeup()
    assert len(bot.scheduler.jobs("crisis:realert:")) == 1  # the next one, re-armed
    assert len(realerts(emu, clinic)) == 1


async def test_closed_dms_get_a_short_note_in_channel(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.carol)
    said = await emu.say(clinic.carol, group, CRISIS)
    await wait_alert(emu, clinic)
    note = await emu.wait_for_message(
        group, author=emu.bot_user, check=lambda m: "988" in m.content
    )
    assert note.reference_id == said.id if hasattr(note, "reference_id") else True
    assert "kill" not in note.content  # kind and short, no details
    assert note.mentions == []


async def test_dms_and_edits_are_screened(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.dm(clinic.bob, "honestly i want to end it all")
    alert = await wait_alert(emu, clinic)
    assert field(alert, "Where") == "dm"
    dev = emu.create_member(clinic.guild, "dev")
    await enroll(emu, clinic, dev, "Spring Evening")
    await agree(emu, dev, agreement_message(emu, dev))
    fine = await emu.say(dev, group, "had a rough day but ok")
    await emu.edit(dev, fine, "had a rough day. i'm going to kill myself tonight")
    second = await wait_alert(emu, clinic, 2)
    assert f"<@{dev.user.id}>" == field(second, "Who")


async def test_person_buttons_reach_the_alert_thread(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    support = await support_dm(emu, clinic.bob)
    safe = next(c for c in button_ids(support) if ":safe:" in c)
    res = await emu.click(clinic.bob, support, safe)
    assert "glad you're safe" in text(res)
    thread = next(c for c in emu.world.channels.values() if c.name == "Alert #1")
    note = await emu.wait_for_message(thread, check=lambda m: "safe right now" in m.content)
    assert note.mention_roles == []
    talk = next(c for c in button_ids(support) if ":talk:" in c)
    await emu.click(clinic.bob, support, talk)
    ask = await emu.wait_for_message(thread, check=lambda m: "talk to a facilitator" in m.content)
    assert ask.mention_roles == [clinic.facilitator_role.id]
    # Dev can't press Bob's buttons.
    dev = emu.create_member(clinic.guild, "dev")
    with pytest.raises(NotVisible):
        await emu.click(dev, support, safe)


async def test_help_now_card_and_alert_button(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await emu.invoke(
        clinic.alice,
        clinic.general,
        "resources add",
        name="County Crisis Team",
        contact="555-0100",
        hours="24/7",
    )
    res = await emu.invoke(clinic.bob, clinic.general, "help-now")
    assert res.ephemeral
    assert "988" in text(res) and "County Crisis Team" in text(res) and "911" in text(res)
    assert emu.visible_messages(clinic.carol, clinic.general) == []
    assert res.message is not None
    done = await emu.click(clinic.bob, res.message, button_ids(res)[0])
    assert "facilitator has been alerted" in text(done) or any(
        "facilitator has been alerted" in m.content for m in done.followups
    )
    alert = await wait_alert(emu, clinic)
    assert "asked for help" in text(alert) or "help now" in text(alert)


async def test_fifteen_local_resources_at_their_longest_all_reach_the_person(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    """The most /resources add allows: the crisis DM holds every one in a single message
    (Discord's 6,000 characters), and /help-now sends every detail after its card."""
    for i in range(15):
        await emu.invoke(
            clinic.alice,
            clinic.general,
            "resources add",
            name=f"{i:02d} " + "N" * 77,
            contact="C" * 120,
            hours="H" * 60,
            note=f"note {i:02d} " + "n" * 192,
        )
    more = await emu.invoke(
        clinic.alice, clinic.general, "resources add", name="16th", contact="555"
    )
    assert "at most 15" in text(more)
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    support = await support_dm(emu, clinic.bob)
    assert all(f"{i:02d} {'N' * 77}" in text(support) for i in range(15))
    assert "988" in text(support) and "`/help-now` shows every detail" in text(support)
    card = await emu.invoke(clinic.bob, clinic.general, "help-now")

    def every() -> str:
        return text(card) + "".join(text(m) for m in card.followups)

    await emu.wait_for(lambda: all(f"note {i:02d} " in every() for i in range(15)), what="all")
    assert all(m.ephemeral for m in card.followups)


async def test_resources_and_crisis_commands_are_for_facilitators(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    emu.override_command(clinic.guild, "resources", clinic.guild)
    emu.override_command(clinic.guild, "crisis", clinic.guild)
    refused = await emu.invoke(
        clinic.bob, clinic.general, "resources add", name="Fake line", contact="555-0199"
    )
    assert "Only facilitators" in text(refused)
    for command in ("crisis log", "crisis export"):
        res = await emu.invoke(clinic.bob, clinic.general, command)
        assert "Only facilitators" in text(res), command
    listing = await emu.invoke(clinic.bob, clinic.general, "resources list")
    assert "Fake line" not in text(listing) and "988" in text(listing)
    added = await emu.invoke(
        clinic.alice, clinic.general, "resources add", name="Warmline", contact="555-0111"
    )
    assert "Added" in text(added)
    dup = await emu.invoke(
        clinic.alice, clinic.general, "resources add", name="warmline", contact="555-0112"
    )
    assert "already" in text(dup)
    gone = await emu.invoke(clinic.alice, clinic.general, "resources remove", name="Warmline")
    assert "Removed" in text(gone)


async def test_false_alarm_is_logged_and_exported(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    false = next(c for c in button_ids(alert) if ":false:" in c)
    res = await emu.click(clinic.alice, alert, false)
    await res.wait_for_edit()
    assert button_ids(alert) == []
    log = await emu.invoke(clinic.alice, clinic.general, "crisis log")
    assert "False alarm" in text(log) and "raised" in text(log) and "false alarm by" in text(log)
    export = await emu.invoke(clinic.alice, clinic.general, "crisis export")
    assert export.ephemeral
    (attachment,) = export.message.attachments  # type: ignore[union-attr]
    assert b'"label": "none"' in attachment.data
    (row,) = [json.loads(line) for line in attachment.data.decode().splitlines()]
    # What decided the alert travels with the label, for the next training round.
    assert row["decided_by"] == "rules" and "ideation.kill_self" in row["rules"]
    assert set(row["model"]) == {"risky", "crisis"}


async def test_realert_interval_is_per_server(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    travel: time_machine.Coordinates,
) -> None:
    res = await emu.invoke(clinic.alice, clinic.general, "crisis settings", realert_minutes=3)
    assert "every 3 minute" in text(res)
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    travel.shift(timedelta(minutes=3, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: len(realerts(emu, clinic)) == 1)


async def test_a_goodbye_spread_over_messages_is_read_together(
    emu: Emulator, clinic: Clinic, configured: LanternBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rules alone, so that what each message scores cannot move with a retrained model.
    monkeypatch.setattr(escalation, "detect", Detector(DEFAULT_RULES_PATH).classify)
    group = await cohort_with(emu, clinic, clinic.bob, clinic.carol)
    await emu.say(clinic.bob, group, "gave my guitar to my brother today")
    await emu.say(clinic.carol, group, "where im going i wont need it")  # someone else: apart
    await emu.wait_for(lambda: configured.idle, what="the pipeline to finish")
    assert alerts(emu, clinic) == []
    await emu.say(clinic.bob, group, "where im going i wont need it")
    alert = await wait_alert(emu, clinic)
    assert "Crisis alert" in text(alert)
    assert "last few minutes" in text(alert)  # the context reason, for facilitators
    await support_dm(emu, clinic.bob)
    store = configured.get_cog("Crisis").store  # type: ignore[union-attr]
    (raised,) = await store.log(clinic.guild.id)
    assert raised.detection["decided_by"] == "context"


async def test_a_model_only_crisis_reaches_the_person_like_a_rules_one(
    emu: Emulator, clinic: Clinic, configured: LanternBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    document["heads"]["crisis"]["intercept"] = 50.0  # the model is sure of everything
    monkeypatch.setattr(
        escalation, "detect", Detector(DEFAULT_RULES_PATH, CrisisModel(document)).classify
    )
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, "sorted everything out, feels calm now")
    alert = await wait_alert(emu, clinic)
    assert "Crisis alert" in text(alert) and "(model)" in text(alert)
    assert alert.mention_roles == [clinic.facilitator_role.id]
    await support_dm(emu, clinic.bob)
    store = configured.get_cog("Crisis").store  # type: ignore[union-attr]
    (raised,) = await store.log(clinic.guild.id)
    assert raised.detection["decided_by"] == "model"
    assert raised.detection["model"]["crisis"] > 0.99


async def test_model_only_concern_alerts_facilitators_quietly_and_does_not_message_the_person(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, "i cant keep going like this, im exhausted of life")
    alert = await wait_alert(emu, clinic)
    assert "Concern" in text(alert) and "(model)" in text(alert)
    assert alert.mention_roles == []  # a concern never pings
    await emu.wait_for(lambda: configured.idle, what="the pipeline to finish")
    # A statistical guess is not said to the person: no support DM, no reply in channel.
    assert not [m for m in emu.dms(clinic.bob) if "carry this alone" in text(m)]
    assert not [m for m in emu.messages_in(group) if m.author.id == emu.bot_user_id]
    await emu.say(clinic.bob, group, "i want to kill myself")  # a rule-based one does
    await support_dm(emu, clinic.bob)


# --- honest about who is on shift ----------------------------------------------------------

SATURDAY_10AM_CHICAGO = datetime(2026, 3, 7, 16, 0, tzinfo=UTC)


async def set_hours(emu: Emulator, clinic: Clinic, schedule: str) -> None:
    emu.override_command(clinic.guild, "setup", clinic.facilitator_role)
    res = await emu.invoke(clinic.alice, clinic.general, "setup hours", schedule=schedule)
    assert "Staffed hours" in text(res) and "Nothing was changed" not in text(res)


async def test_off_shift_the_support_dm_leads_with_the_lines_and_says_when_someone_is_back(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await set_hours(emu, clinic, "Sat 10:00-14:00")  # it is Monday 09:00 in Chicago
    support = configured.get_cog("SafetyPlan")
    await support.store.save_part(  # type: ignore[union-attr]
        clinic.guild.id, clinic.bob.user.id, "warning_signs", "Not sleeping", configured.clock.now()
    )
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    dm = await support_dm(emu, clinic.bob)
    # Nobody is there: the lines that answer now come first, then the person's own plan.
    assert [e.get("title") for e in dm.embeds] == [
        "You don't have to carry this alone",
        "Your safety plan",
    ]
    assert "988" in (dm.embeds[0].get("description") or "")
    group_field = field(dm, "Your group")
    unix = int(SATURDAY_10AM_CHICAGO.timestamp())
    assert "Nobody from your program is on shift right now" in group_field
    assert "**Sat 10:00** (America/Chicago time)" in group_field
    assert f"<t:{unix}:F>" in group_field and f"<t:{unix}:R>" in group_field
    assert "will check in with you" not in text(dm)


async def test_on_shift_the_support_dm_says_a_facilitator_is_there(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await set_hours(emu, clinic, "Mon-Fri 08:00-17:00")
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    dm = await support_dm(emu, clinic.bob)
    assert "is on shift now" in field(dm, "Your group") and "<t:" not in field(dm, "Your group")


async def test_closed_dms_note_is_honest_off_shift(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await set_hours(emu, clinic, "Sat 10:00-14:00")
    group = await cohort_with(emu, clinic, clinic.carol)
    await emu.say(clinic.carol, group, CRISIS)
    note = await emu.wait_for_message(
        group, author=emu.bot_user, check=lambda m: "988" in m.content
    )
    assert f"when the next shift starts (<t:{int(SATURDAY_10AM_CHICAGO.timestamp())}:F>)" in (
        note.content
    )


async def test_help_now_says_who_is_on_shift_and_the_alert_reply_leads_with_the_lines(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    unset = await emu.invoke(clinic.bob, clinic.general, "help-now")
    assert "when they are next online" in field(unset, "Your facilitators")
    await set_hours(emu, clinic, "Sat 10:00-14:00")
    res = await emu.invoke(clinic.bob, clinic.general, "help-now")
    assert "988" in (res.embeds[0].get("description") or "")  # the lines still come first
    staff = field(res, "Your facilitators")
    unix = int(SATURDAY_10AM_CHICAGO.timestamp())
    assert "Nobody is on shift right now" in staff and f"<t:{unix}:F>" in staff
    assert res.message is not None
    alert_button = next(c for c in button_ids(res) if c.startswith("lantern:helpnow:"))
    done = await emu.click(clinic.bob, res.message, alert_button)
    reply = text(done) + " ".join(m.content for m in done.followups)
    assert reply.startswith("If you are in danger or need someone now, please call a line above")
    assert "nobody is on shift right now" in reply and f"<t:{unix}:R>" in reply
    await wait_alert(emu, clinic)
    # During staffed hours (Saturday 11:00 in Chicago) it says so.
    travel.move_to(SATURDAY_10AM_CHICAGO + timedelta(hours=1))
    later = await emu.invoke(clinic.bob, clinic.general, "help-now")
    assert "A facilitator is on shift now" in field(later, "Your facilitators")
