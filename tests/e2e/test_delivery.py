"""What must reach a person gets there, exactly once, whatever Discord does: 5xx bursts,
storms of 429s, stalls, dropped gateway sessions, a channel Lantern may no longer post in,
a deleted alert, and a bot that was down when the message was sent."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.client import LanternBot
from emulator import Emulator, P
from emulator.model import Message
from tests.e2e.harness import Clinic, ExpectingErrorLogWatch, Harness
from tests.e2e.steps.checkins import opt_in, prompts
from tests.e2e.steps.cohorts import agree, agreement_message, enroll
from tests.e2e.steps.common import button_ids, logged, text
from tests.e2e.steps.crisis import (
    CRISIS,
    alerts,
    cohort_with,
    realerts,
    support_dm,
    wait_alert,
)
from tests.e2e.steps.scheduler import settle
from tests.e2e.steps.sessions import add, announcements, reminders_in

MESSAGES = "POST /channels/{channel_id}/messages"
MONDAY_REMINDER = datetime(2026, 3, 2, 23, 0, 1, tzinfo=UTC)  # 1 h before 18:00 CST
TUESDAY_PROMPT = datetime(2026, 3, 3, 15, 0, 1, tzinfo=UTC)  # 09:00 CST


def alerts_about(emu: Emulator, clinic: Clinic, user_id: int) -> list[Message]:
    return [m for m in alerts(emu, clinic) if f"<@{user_id}>" in text(m)]


def supports(emu: Emulator, who: object) -> list[Message]:
    return [m for m in emu.dms(who) if "carry this alone" in text(m)]  # type: ignore[arg-type]


async def settled(bot: LanternBot) -> None:
    """Scheduled jobs due now have run, and everything they queued has been delivered."""
    await settle(bot)
    await bot.outbox.settled(timeout=60)


# --- the fault matrix ----------------------------------------------------------------------


@contextlib.asynccontextmanager
async def discord_misbehaving(emu: Emulator, fault: str) -> AsyncIterator[None]:
    """Discord fails while the block runs (and, for the time-based faults, a while after)."""
    if fault == "3x503":
        emu.faults.fail_next(MESSAGES, times=3, status=503)
    elif fault == "429s_10s":
        emu.faults.rate_limit_for(MESSAGES, 10, retry_after=1.0)
    elif fault == "stall_15s":
        emu.faults.stall(MESSAGES, 15, times=2)
    elif fault in ("drop_resume", "drop_lost"):
        await emu.faults.drop_connection(resumable=fault == "drop_resume")
    yield
    if fault.startswith("drop"):
        # After a session is lost discord.py waits 5 s before identifying again.
        await emu.wait_for(lambda: emu.gateway.connected, timeout=15, what="the bot to reconnect")


@pytest.mark.parametrize("fault", ["3x503", "429s_10s", "drop_resume", "drop_lost", "stall_15s"])
async def test_every_must_deliver_kind_arrives_exactly_once_through_a_fault(
    fault: str,
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    travel: time_machine.Coordinates,
    error_logs: ExpectingErrorLogWatch,
) -> None:
    bot = configured
    group = await cohort_with(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    await add(emu, clinic)  # Mon/Wed/Thu 18:00 sessions: a channel reminder 1 h before
    news = await announcements(emu, bot, clinic, "Spring Evening")
    said = await emu.say(clinic.carol, clinic.general, "you're all idiots")
    await settled(bot)  # nothing pending before the fault

    async with discord_misbehaving(emu, fault):
        await emu.say(clinic.bob, group, CRISIS)  # alert + support DM
        await emu.say(clinic.bob, group, "i have the pills lined up")  # a follow-up
    await emu.context_menu(clinic.alice, clinic.general, "Report to facilitators", said)
    await emu.wait_for(lambda: alerts_about(emu, clinic, clinic.bob.user.id), timeout=40)
    await settled(bot)
    async with discord_misbehaving(emu, fault):
        travel.move_to(MONDAY_REMINDER)  # the session reminder, and a repeat of the alert
        await settled(bot)  # (a reminder still unsent when the session starts is dropped)
        travel.move_to(TUESDAY_PROMPT)  # the check-in prompt, and another repeat
        await settle(bot)
    await settled(bot)

    [alert] = alerts_about(emu, clinic, clinic.bob.user.id)
    assert len(supports(emu, clinic.bob)) == 1
    thread = next(c for c in emu.world.channels.values() if c.name == "Alert #1")
    assert len([m for m in emu.messages_in(thread) if "pills" in m.content]) == 1
    repeats = await bot.db.fetch_one("SELECT realerts FROM crisis_alerts WHERE id = 1")
    assert repeats is not None and repeats[0] >= 2
    assert len(realerts(emu, clinic)) == repeats[0]
    reported = [m for m in emu.messages_in(clinic.mod_log) if "Message reported" in text(m)]
    assert len(reported) == 1
    assert len(reminders_in(emu, news)) == 1
    assert len(prompts(emu, clinic.bob)) == 1
    health = await bot.outbox.health(clinic.guild.id)
    assert (health.pending, health.failed) == (0, 0)
    assert alert.components  # the buttons came with it
    error_logs.expect("delivery failed")  # every failed try on the safety path is an ERROR
    error_logs.expect("could not deliver")


# --- crisis alerts: fallbacks, deletion, /crisis ack --------------------------------------


async def test_alert_goes_to_the_log_when_lantern_cannot_post_in_escalations(
    emu: Emulator, clinic: Clinic, configured: LanternBot, error_logs: ExpectingErrorLogWatch
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    emu.set_overwrite(
        clinic.escalations, clinic.guild.bot_role, allow=P.VIEW_CHANNEL, deny=P.SEND_MESSAGES
    )
    # The owner hears at once that alerts can't be posted, before any alert.
    notice = await emu.wait_for(
        lambda: next((m for m in emu.dms(clinic.dana) if "can no longer post" in m.content), None),
        what="the owner's notice",
        timeout=10,
    )
    assert "Send Messages" in notice.content or "send messages" in notice.content
    await logged(emu, clinic.mod_log, "can no longer post crisis alerts")
    await emu.say(clinic.bob, group, CRISIS)
    alert = await emu.wait_for_message(
        clinic.mod_log, check=lambda m: "Crisis alert" in text(m), timeout=10
    )
    assert alert.mention_roles == [clinic.facilitator_role.id]
    assert {c.split(":")[2] for c in button_ids(alert)} == {"ack", "reached", "false"}
    await configured.outbox.settled()
    row = await configured.db.fetch_one("SELECT landed FROM crisis_alerts WHERE id = 1")
    assert row is not None and row[0] == "log"
    assert alerts(emu, clinic) == []
    error_logs.expect("escalation channel is unusable")
    error_logs.expect("could not reach staff here")
    error_logs.expect("landed in a fallback")


async def test_with_no_staff_channel_usable_facilitators_get_it_by_dm_and_can_act(
    emu: Emulator, clinic: Clinic, configured: LanternBot, error_logs: ExpectingErrorLogWatch
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    for staff in (clinic.escalations, clinic.mod_log):
        emu.set_overwrite(staff, clinic.guild.bot_role, allow=P.VIEW_CHANNEL, deny=P.SEND_MESSAGES)
    await emu.say(clinic.bob, group, CRISIS)

    def alice_alert() -> Message | None:
        return next((m for m in emu.dms(clinic.alice) if "Crisis alert" in text(m)), None)

    dm = await emu.wait_for(alice_alert, what="the alert in Alice's DMs", timeout=10)
    assert "could not post this alert" in dm.content
    ack = next(c for c in button_ids(dm) if ":ack:" in c)
    res = await emu.click(clinic.alice, dm, ack)
    await res.wait_for_edit()
    status = await configured.db.fetch_one("SELECT status, landed FROM crisis_alerts")
    assert status is not None and tuple(status) == ("acknowledged", "dm")
    assert not configured.scheduler.jobs("crisis:realert:")
    for fragment in ("escalation channel is unusable", "could not reach staff", "fallback"):
        error_logs.expect(fragment)
    error_logs.expect("could not deliver")  # the "joined" note for the log channel


async def test_a_deleted_alert_is_reposted_with_buttons_and_crisis_ack_stops_the_repeats(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    travel: time_machine.Coordinates,
    error_logs: ExpectingErrorLogWatch,
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    first = await wait_alert(emu, clinic)
    thread = await emu.wait_for(
        lambda: next((c for c in emu.world.channels.values() if c.name == "Alert #1"), None)
    )
    await emu.delete_message(first, by=clinic.dana)
    again = await emu.wait_for_message(
        clinic.escalations, check=lambda m: "here it is again" in m.content, timeout=10
    )
    assert {c.split(":")[2] for c in button_ids(again)} == {"ack", "reached", "false"}
    await emu.wait_for_message(thread, check=lambda m: "re-posted here" in m.content)

    # The alert can always be acknowledged by number, without its buttons.
    choices = await emu.autocomplete(clinic.alice, clinic.general, "crisis ack", "alert", "")
    assert [c.value for c in choices] == ["1"]
    assert "#1 · crisis · bob" in choices[0].name
    hidden = await emu.autocomplete(clinic.bob, clinic.general, "crisis ack", "alert", "")
    assert hidden == []  # names of people in crisis are for facilitators
    res = await emu.invoke(clinic.alice, clinic.general, "crisis ack", alert="1")
    assert "Alert #1 acknowledged" in text(res)
    await emu.wait_for(lambda: "Acknowledged by" in text(again), what="the alert redrawn")
    travel.shift(timedelta(minutes=30))
    configured.scheduler.wakeup()
    await configured.outbox.settled()
    assert realerts(emu, clinic) == []
    again_ack = await emu.invoke(clinic.alice, clinic.general, "crisis ack", alert="1")
    assert "already acknowledged" in text(again_ack)
    nothing = await emu.invoke(clinic.alice, clinic.general, "crisis ack", alert="999999999999999")
    assert "no alert" in text(nothing)
    refused = await emu.invoke(clinic.bob, clinic.general, "crisis ack", alert="1")
    assert refused.ephemeral and "facilitator" in text(refused).lower()
    error_logs.expect("alert message deleted")


async def test_a_repeat_carries_the_buttons_and_comes_quickly_after_a_failure(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    travel: time_machine.Coordinates,
    error_logs: ExpectingErrorLogWatch,
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    await configured.outbox.settled()
    emu.faults.fail_next(MESSAGES, times=1, status=503)
    travel.shift(timedelta(minutes=10, seconds=1))
    configured.scheduler.wakeup()
    [repeat] = await emu.wait_for(lambda: realerts(emu, clinic), timeout=10)
    assert "/None" not in repeat.content and "/channels/" in repeat.content
    assert {c.split(":")[2] for c in button_ids(repeat)} == {"ack", "reached", "false"}
    ack = next(c for c in button_ids(repeat) if ":ack:" in c)
    res = await emu.click(clinic.alice, repeat, ack)
    await res.wait_for_edit()
    assert not configured.scheduler.jobs("crisis:realert:")
    error_logs.expect("delivery failed")


# --- downtime ------------------------------------------------------------------------------


async def test_a_crisis_message_sent_while_lantern_was_down_is_alerted_at_start(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, "see you all thursday")
    await harness.stop()
    said = await emu.say(clinic.bob, group, CRISIS)
    await emu.dm(clinic.bob, "hello again")  # a DM channel it knows: read too
    bot = await harness.start()
    alert = await wait_alert(emu, clinic)  # the emulator's default wait is far below 30 s
    assert "Sent while Lantern was offline" in text(alert)
    assert str(said.id) in text(alert)
    await support_dm(emu, clinic.bob)
    crisis = bot.get_cog("Crisis")
    assert crisis is not None
    await crisis.catchup.idle.wait()  # type: ignore[attr-defined]
    # A second restart screens nothing twice.
    bot = await harness.restart()
    await bot.get_cog("Crisis").catchup.idle.wait()  # type: ignore[union-attr]
    await bot.outbox.settled()
    assert len(alerts(emu, clinic)) == 1 and len(supports(emu, clinic.bob)) == 1


async def test_a_dm_sent_while_lantern_was_down_is_screened_at_start(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await cohort_with(emu, clinic, clinic.bob)
    await emu.dm(clinic.bob, "hi lantern")
    await emu.wait_for(lambda: bot.idle)
    await harness.stop()
    await emu.dm(clinic.bob, CRISIS)
    await harness.start()
    alert = await wait_alert(emu, clinic)
    assert "Sent while Lantern was offline" in text(alert)


async def test_a_session_that_lost_events_catches_up(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, "morning all")
    await emu.wait_for(lambda: configured.idle)
    await emu.faults.drop_connection(resumable=False)
    await emu.say(clinic.bob, group, CRISIS)  # never dispatched: the session is gone
    # discord.py waits 5 s before identifying again; then Lantern reads what it missed.
    alert = (await emu.wait_for(lambda: alerts(emu, clinic), timeout=20))[0]
    assert "Sent while Lantern was offline" in text(alert)
    await configured.outbox.settled()
    assert len(alerts(emu, clinic)) == 1


# --- the other kinds -----------------------------------------------------------------------


async def test_a_check_in_fan_out_through_503s_reaches_everyone_once(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    travel: time_machine.Coordinates,
    error_logs: ExpectingErrorLogWatch,
) -> None:
    await cohort_with(emu, clinic, clinic.bob)
    people = [clinic.bob]
    for i in range(13):  # a full cohort of 14
        member = emu.create_member(clinic.guild, f"person{i:02}")
        await enroll(emu, clinic, member, "Spring Evening")
        await agree(emu, member, agreement_message(emu, member))
        people.append(member)
    for member in people:
        await opt_in(emu, clinic, member)
    emu.faults.fail_next(MESSAGES, times=10, status=503)
    travel.move_to(TUESDAY_PROMPT)
    await settled(configured)
    assert [len(prompts(emu, m)) for m in people] == [1] * 14
    statuses = await configured.db.fetch_all("SELECT DISTINCT status FROM checkin_prompts")
    assert [r[0] for r in statuses] == ["sent"]
    assert not error_logs.records  # person-facing retries are warnings until they give up


async def test_a_report_survives_a_failing_log_channel(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    said = await emu.say(clinic.bob, clinic.general, "you're all idiots")
    emu.faults.fail_next(MESSAGES, times=3, status=503)
    res = await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", said)
    assert "on its way" in text(res)
    await configured.outbox.settled()
    reported = [m for m in emu.messages_in(clinic.mod_log) if "Message reported" in text(m)]
    assert len(reported) == 1
    again = await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", said)
    assert "already reported" in text(again)


async def test_a_deleted_log_channel_sends_reports_to_escalations(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    said = await emu.say(clinic.bob, clinic.general, "you're all idiots")
    emu.set_overwrite(
        clinic.mod_log, clinic.guild.bot_role, allow=P.VIEW_CHANNEL, deny=P.SEND_MESSAGES
    )
    await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", said)
    await emu.wait_for_message(clinic.escalations, check=lambda m: "Message reported" in text(m))


async def test_help_now_reaches_the_person_by_dm_when_discord_refuses_the_reply(
    emu: Emulator, clinic: Clinic, configured: LanternBot, error_logs: ExpectingErrorLogWatch
) -> None:
    # discord.py's webhook adapter retries 5xx itself (1 s, 3 s, 5 s, 7 s): outlast it.
    emu.faults.fail_next(
        "POST /interactions/{webhook_id}/{webhook_token}/callback", times=5, status=503
    )
    with contextlib.suppress(Exception):  # the person sees Discord's own failure message
        await emu.invoke(clinic.bob, clinic.general, "help-now", within=3)
    dm = await emu.wait_for(
        lambda: next((m for m in emu.dms(clinic.bob) if "988" in text(m)), None),
        what="the crisis lines by DM",
        timeout=30,
    )
    assert "Alert a facilitator" in str(dm.components)
    assert error_logs.expect("could not answer an interaction")


async def test_over_500_missed_messages_screens_the_newest_and_says_so(
    emu: Emulator, clinic: Clinic, harness: Harness, error_logs: ExpectingErrorLogWatch
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, "hi all")
    await harness.stop()
    for i in range(520):
        await emu.say(clinic.bob, group, f"just chatting ({i})")
    await emu.say(clinic.bob, group, CRISIS)
    bot = await harness.start()
    alert = await wait_alert(emu, clinic)
    assert "Sent while Lantern was offline" in text(alert)
    crisis = bot.get_cog("Crisis")
    assert crisis is not None
    await crisis.catchup.idle.wait()  # type: ignore[attr-defined]
    assert crisis.catchup.caught_up == 500  # type: ignore[attr-defined]
    assert error_logs.expect("older ones were not screened")
