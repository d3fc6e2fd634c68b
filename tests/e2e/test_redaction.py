"""Deleted means deleted: after /mydata delete (or the retention purge) the staff messages
Lantern posted about the person no longer carry their words or their mention."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from bot.client import LanternBot
from cogs.privacy.redact import DELETED, EXPIRED
from emulator import Emulator
from emulator.model import Message
from tests.e2e.harness import Clinic, ExpectingErrorLogWatch, Harness
from tests.e2e.steps.common import button_ids, logged, text
from tests.e2e.steps.crisis import CRISIS, cohort_with, realerts, wait_alert
from tests.e2e.steps.support import WORDS, notices, talk

FOLLOW_UP = "i have the pills lined up"
INSULT = "you're all idiots"


async def bob_is_talked_about(emu: Emulator, clinic: Clinic) -> list[Message]:
    """A crisis alert with a follow-up in its thread, and a report about Bob's message."""
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    await emu.say(clinic.bob, group, FOLLOW_UP)
    thread = await emu.wait_for(
        lambda: next((c for c in emu.world.channels.values() if c.name == "Alert #1"), None)
    )
    follow = await emu.wait_for_message(thread, check=lambda m: "pills" in m.content)
    said = await emu.say(clinic.bob, clinic.general, INSULT)
    await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", said)
    notice = await logged(emu, clinic.mod_log, "Message reported")
    return [alert, follow, notice]


def about_bob(message: Message, clinic: Clinic) -> bool:
    shown = text(message)
    return any(
        words in shown for words in ("kill myself", "pills", "idiots", str(clinic.bob.user.id))
    )


async def delete_data(emu: Emulator, clinic: Clinic) -> None:
    ask = await emu.invoke(clinic.bob, clinic.general, "mydata delete")
    assert ask.message is not None
    done = await emu.click(clinic.bob, ask.message, button_ids(ask)[0])
    await emu.wait_for(lambda: "record(s) were deleted" in text(done), what="the deletion")


async def test_delete_edits_every_staff_message_about_the_person(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    posted = await bob_is_talked_about(emu, clinic)
    assert all(about_bob(m, clinic) for m in posted)
    await delete_data(emu, clinic)
    await configured.outbox.settled()
    for message in posted:
        assert not about_bob(message, clinic), text(message)
        assert DELETED in text(message)
        assert message.mentions == [] and message.mention_roles == []
    # What happened stays useful: the alert's level, status and number are still there.
    assert "crisis" in text(posted[0]) and "Alert #1" in text(posted[0])
    assert button_ids(posted[0])  # facilitators can still close it


async def test_edits_survive_a_restart_and_discord_refusing_them_for_a_while(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    posted = await bob_is_talked_about(emu, clinic)
    emu.faults.fail_for("PATCH /channels/*", 3600)
    await delete_data(emu, clinic)
    bot = await harness.restart()
    assert all(about_bob(m, clinic) for m in posted)  # Discord still refuses the edits
    emu.faults.clear()
    await emu.wait_for(
        lambda: not any(about_bob(m, clinic) for m in posted), what="the edits", timeout=30
    )
    await bot.outbox.settled()
    assert all(DELETED in text(m) for m in posted)


async def test_a_staff_message_deleted_by_hand_is_nothing_to_redact(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    alert, follow, notice = await bob_is_talked_about(emu, clinic)
    await emu.delete_message(alert)

    def reposted() -> Message | None:
        live = [m for m in emu.messages_in(clinic.escalations) if m.embeds and not m.deleted]
        return live[0] if live else None

    await emu.wait_for(reposted, what="the re-posted alert")
    await delete_data(emu, clinic)
    await configured.outbox.settled()
    assert DELETED in text(follow) and DELETED in text(notice)
    live = [m for m in emu.messages_in(clinic.escalations) if m.embeds and not m.deleted]
    assert live and all(not about_bob(m, clinic) for m in live)


async def test_retention_purge_marks_old_words_as_expired(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    cog = configured.get_cog("Privacy")
    travel.shift(timedelta(days=91))
    assert (await cog.sweep())["purged"] == 1  # type: ignore[union-attr]
    await configured.outbox.settled()
    assert "kill myself" not in text(alert) and EXPIRED in text(alert)
    assert "crisis" in text(alert)  # the outcome stays


async def test_a_line_not_yet_posted_loses_the_words_before_it_goes(
    emu: Emulator, clinic: Clinic, configured: LanternBot, error_logs: ExpectingErrorLogWatch
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    thread = await emu.wait_for(
        lambda: next((c for c in emu.world.channels.values() if c.name == "Alert #1"), None)
    )
    emu.faults.fail_for(f"POST /channels/{thread.id}/messages", 3600)
    await emu.say(clinic.bob, group, FOLLOW_UP)
    await emu.wait_for(
        lambda: emu.count("/channels/{channel_id}/messages", "POST", status=503) > 0,
        what="a refused follow-up",
    )
    await delete_data(emu, clinic)
    emu.faults.clear()
    line = await emu.wait_for_message(thread, check=lambda m: DELETED in m.content, timeout=30)
    assert "pills" not in line.content and not line.mentions
    assert not any("pills" in m.content for m in emu.messages_in(thread))
    error_logs.expect("delivery failed")  # each refused try on the safety path is an ERROR


async def test_the_repeat_and_the_conversation_notice_lose_the_person_too(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    travel.shift(timedelta(minutes=10, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: len(realerts(emu, clinic)) == 1, what="the repeat")
    (repeat,) = realerts(emu, clinic)
    await talk(emu, clinic, clinic.bob)
    (notice,) = notices(emu, clinic)
    name = clinic.bob.nick or clinic.bob.user.global_name or clinic.bob.user.username
    assert all(about_bob(m, clinic) for m in (alert, repeat, notice)) and name in text(notice)
    await delete_data(emu, clinic)
    await configured.outbox.settled()
    for message in (alert, repeat, notice):
        shown = text(message)
        assert not about_bob(message, clinic) and DELETED in shown, shown
        assert WORDS not in shown and name not in shown
    assert "Conversation #1" in text(notice) and "Alert #1" in text(alert)


async def test_a_report_notice_older_than_the_outbox_memory_is_still_found(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    said = await emu.say(clinic.bob, clinic.general, INSULT)
    await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", said)
    notice = await logged(emu, clinic.mod_log, "Message reported")
    await configured.outbox.settled()
    # What the outbox's weekly prune does: only the report row remembers the notice.
    await configured.db.execute("DELETE FROM outbox WHERE kind = 'report_notice'")
    await delete_data(emu, clinic)
    await configured.outbox.settled()
    assert not about_bob(notice, clinic) and DELETED in text(notice), text(notice)
