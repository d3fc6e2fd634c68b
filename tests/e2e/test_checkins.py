"""Daily check-ins end to end: the offer on enrolment, scheduled DM prompts (restarts, DST,
the grace window, closed DMs, nudges, expiry), answering with buttons/selects/the note
modal, sharing, /checkin now and replacing, /progress, facilitators' history and digest,
weekly questionnaires, the crisis hook and the CSV report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import discord
import pytest
import time_machine

from bot.client import LanternBot
from cogs.checkins.report import cohort_report_csv
from emulator import Emulator
from emulator.model import Member, Message
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.checkins import offer, opt_in, prompts
from tests.e2e.steps.cohorts import agree, agreement_message, channel, create, enroll
from tests.e2e.steps.common import button_ids, field, text
from tests.e2e.steps.scheduler import settle

COHORT = "Spring Evening"
# Bob opts in on Monday 2 March 2026 (15:00 UTC = 09:00 in Chicago): his first prompt is
# Tuesday 09:00 CST. The US changes to daylight time on Sunday 8 March.
TUESDAY_9AM = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
JUST_AFTER = timedelta(seconds=1)


# --- helpers -------------------------------------------------------------------------------


async def join(emu: Emulator, clinic: Clinic, member: Member, *, new_cohort: bool = True) -> None:
    if new_cohort:
        await create(emu, clinic, COHORT)
    await enroll(emu, clinic, member, COHORT)
    await agree(emu, member, agreement_message(emu, member))


async def wait_prompts(emu: Emulator, member: Member, count: int) -> list[Message]:
    await emu.wait_for(lambda: len(prompts(emu, member)) >= count, what=f"{count} prompt(s)")
    return prompts(emu, member)


async def at(travel: time_machine.Coordinates, bot: LanternBot, when: datetime) -> None:
    """Move the wall clock just past `when`, let the scheduler run what is due, and wait
    for those jobs to finish (a job still running at shutdown would be cancelled)."""
    travel.move_to(when + JUST_AFTER)
    await settle(bot)


def cid(message: Message, fragment: str) -> str:
    return next(c for c in button_ids(message) if fragment in c)


def _mood(message: Message, mood: int) -> str:
    return next(c for c in button_ids(message) if c.endswith(f":{mood}") and ":mood:" in c)


async def submit(emu: Emulator, member: Member, message: Message) -> str:
    res = await emu.click(member, message, cid(message, ":submit:"))
    if res.kind == "deferred_update":
        await res.wait_for_edit()
    return res.content or text(res)


async def quick_checkin(emu: Emulator, member: Member, message: Message, mood: int = 4) -> str:
    await emu.click(member, message, _mood(message, mood))
    return await submit(emu, member, message)


async def delivered(bot: LanternBot) -> None:
    """Wait until the outbox has handled every prompt due now."""
    await bot.outbox.settled()


async def rows(bot: LanternBot, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await bot.db.fetch_all(sql, params)]


# --- the offer and settings ----------------------------------------------------------------


async def test_agreeing_brings_an_offer_and_yes_schedules_9am_local(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    message = await offer(emu, clinic.bob)
    assert "only you and your facilitators see your answers" in text(message).lower()
    reply = await opt_in(emu, clinic, clinic.bob)
    assert "every day at 09:00 (America/Chicago)" in reply
    jobs = configured.scheduler.jobs("checkins:prompt:")
    assert [j.next_run_time for j in jobs] == [TUESDAY_9AM]
    assert button_ids(message) == []  # answered: the buttons are gone
    assert len(await rows(configured, "SELECT id FROM checkin_settings")) == 1


async def test_not_now_schedules_nothing(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    message = await offer(emu, clinic.bob)
    res = await emu.click(clinic.bob, message, cid(message, ":no"))
    assert "/checkin settings" in text(res)
    assert configured.scheduler.jobs("checkins:prompt:") == []


async def test_settings_validate_and_change_nothing_on_bad_input(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    before = await rows(configured, "SELECT local_time, timezone, days FROM checkin_settings")
    for options, expected in [
        ({"time": "25:00"}, "isn't a time of day"),
        ({"time": "soon"}, "isn't a time I understand"),
        ({"timezone": "Mars/Olympus"}, "isn't a timezone I know"),
        ({"days": "funday"}, "isn't a list of days"),
    ]:
        res = await emu.invoke(clinic.bob, clinic.general, "checkin settings", options=options)
        assert res.ephemeral and expected in text(res), (options, text(res))
    after = await rows(configured, "SELECT local_time, timezone, days FROM checkin_settings")
    assert before == after


async def test_settings_change_time_zone_days_and_opt_out(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    res = await emu.invoke(
        clinic.bob,
        clinic.general,
        "checkin settings",
        enabled=True,
        time="8:30 pm",
        timezone="Europe/London",
        days="mon-fri",
        nudge=True,
    )
    assert res.ephemeral
    assert "weekdays at 20:30 (Europe/London)" in text(res), text(res)
    [job] = configured.scheduler.jobs("checkins:prompt:")
    assert job.next_run_time == datetime(2026, 3, 2, 20, 30, tzinfo=UTC)
    shown = await emu.invoke(clinic.bob, clinic.general, "checkin settings")
    assert "weekdays at 20:30" in text(shown) and "reminder if unanswered: on" in text(shown)
    choices = await emu.autocomplete(
        clinic.bob, clinic.general, "checkin settings", "timezone", "chica"
    )
    assert [c.value for c in choices] == ["America/Chicago"]
    off = await emu.invoke(clinic.bob, clinic.general, "checkin settings", enabled=False)
    assert "no more prompts" in text(off)
    assert configured.scheduler.jobs("checkins:prompt:") == []
    await at(travel, configured, datetime(2026, 3, 2, 20, 30, tzinfo=UTC))
    assert prompts(emu, clinic.bob) == []


async def test_people_outside_a_cohort_are_told_clearly(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic, COHORT)
    for command in ("checkin settings", "checkin now", "progress"):
        res = await emu.invoke(clinic.dana, clinic.general, command)
        assert res.ephemeral and "for people in a cohort" in text(res), command
    await enroll(emu, clinic, clinic.bob, COHORT)  # not agreed yet
    res = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert "once you've agreed" in text(res)


# --- the scheduled prompt ------------------------------------------------------------------


async def test_prompt_arrives_and_every_control_works(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    await at(travel, configured, TUESDAY_9AM)
    [prompt] = await wait_prompts(emu, clinic.bob, 1)
    assert "How are you doing today?" in text(prompt)
    # Mood is needed before "Done".
    early = await emu.click(clinic.bob, prompt, cid(prompt, ":submit:"))
    assert "Pick a mood first" in text(early)
    await emu.click(clinic.bob, prompt, _mood(prompt, 2))
    await emu.select(clinic.bob, prompt, cid(prompt, ":cravings:"), ["3"])
    await emu.select(clinic.bob, prompt, cid(prompt, ":sleep:"), ["7"])
    await emu.click(clinic.bob, prompt, cid(prompt, ":used:").rsplit(":", 1)[0] + ":no")
    opened = await emu.click(clinic.bob, prompt, cid(prompt, ":note:"))
    assert opened.kind == "modal"
    await emu.submit_modal(clinic.bob, opened, {"note": "Long day at work, @everyone."})
    await emu.click(clinic.bob, prompt, cid(prompt, ":share:"))
    assert field(prompt, "Mood") == "2 😕 Low"
    assert field(prompt, "Cravings") == "3/10"
    assert field(prompt, "Sleep") == "7 hours"
    assert field(prompt, "Used since last check-in") == "No"
    assert field(prompt, "Note").startswith("Added")
    assert field(prompt, "Share a summary with my cohort") == "Yes"
    pid = prompt_id(prompt)
    done = await submit(emu, clinic.bob, prompt)
    assert "Thanks for checking in" in done and "Mood 2/5" in done
    assert "cohort's check-ins channel" in done
    # The prompt's controls are gone; a low mood brings coping exercises instead.
    assert button_ids(prompt) and all(":ground:" in c for c in button_ids(prompt))
    shared = emu.last_message(channel(emu, clinic, "check-ins"))
    assert shared is not None and "Mood 2/5" in shared.content
    assert "Long day" not in shared.content  # the note stays private unless ticked
    assert "Used" not in shared.content
    [saved] = await rows(
        configured, "SELECT local_day, mood, cravings, sleep_hours, used, note FROM checkins"
    )
    assert saved == ("2026-03-03", 2, 3, 7, "no", "Long day at work, @everyone.")
    # The prompt is closed now: a late tap says so.
    assert pid > 0


def prompt_id(prompt: Message) -> int:
    return int(cid(prompt, ":mood:").split(":")[3])


async def test_sharing_the_note_is_an_explicit_choice(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    await at(travel, configured, TUESDAY_9AM)
    [prompt] = await wait_prompts(emu, clinic.bob, 1)
    await emu.click(clinic.bob, prompt, _mood(prompt, 5))
    opened = await emu.click(clinic.bob, prompt, cid(prompt, ":note:"))
    await emu.submit_modal(clinic.bob, opened, {"note": "Ran 5k with my sister!"})
    await emu.click(clinic.bob, prompt, cid(prompt, ":share:"))
    await emu.click(clinic.bob, prompt, cid(prompt, ":sharenote:"))
    assert field(prompt, "Share a summary with my cohort") == "Yes, with my note"
    await submit(emu, clinic.bob, prompt)
    shared = emu.last_message(channel(emu, clinic, "check-ins"))
    assert shared is not None and "> Ran 5k with my sister!" in shared.content


async def test_closed_dms_are_recorded_not_retried_and_shown_to_facilitators(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    emu.set_dms_closed(clinic.bob)
    await at(travel, configured, TUESDAY_9AM)
    await emu.wait_for(
        lambda: emu.count("POST /channels/{channel_id}/messages", status=403) >= 1,
        what="the refused prompt",
    )
    await delivered(configured)
    assert await rows(configured, "SELECT status FROM checkin_prompts") == [("failed",)]
    [closed] = await rows(configured, "SELECT dm_closed_at FROM checkin_settings")
    assert closed[0] is not None
    refused = emu.count("POST /channels/{channel_id}/messages", status=403)
    configured.scheduler.wakeup()
    travel.shift(timedelta(minutes=30))
    configured.scheduler.wakeup()
    assert emu.count("POST /channels/{channel_id}/messages", status=403) == refused
    history = await emu.invoke(clinic.alice, clinic.general, "checkin history", member=clinic.bob)
    await history.wait_for_followups(0)
    assert "DMs closed" in text(history)
    shown = await emu.invoke(clinic.bob, clinic.general, "checkin settings", enabled=True)
    assert "couldn't DM you" in text(shown)


async def test_unanswered_prompt_expires_at_the_next_and_a_nudge_comes_once(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await emu.invoke(clinic.bob, clinic.general, "checkin settings", enabled=True, nudge=True)
    await at(travel, configured, TUESDAY_9AM)
    [first] = await wait_prompts(emu, clinic.bob, 1)
    await emu.wait_for(lambda: configured.scheduler.jobs("checkins:nudge:"), what="nudge job")
    await at(travel, configured, TUESDAY_9AM + timedelta(hours=3))
    await emu.wait_for(
        lambda: any("gentle reminder" in m.content for m in emu.dms(clinic.bob)), what="nudge"
    )
    configured.scheduler.wakeup()
    nudges = [m for m in emu.dms(clinic.bob) if "gentle reminder" in m.content]
    assert len(nudges) == 1
    await at(travel, configured, TUESDAY_9AM + DAY)
    await wait_prompts(emu, clinic.bob, 2)
    await configured.outbox.settled()  # the new prompt recorded as sent closes the first
    res = await emu.click(clinic.bob, first, _mood(first, 3))
    assert "This check-in has closed" in text(res)
    assert button_ids(first) == []


async def test_remind_me_later_comes_back_at_that_time_even_after_a_restart(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    await at(travel, bot, TUESDAY_9AM)
    [prompt] = await wait_prompts(emu, clinic.bob, 1)
    await emu.click(clinic.bob, prompt, _mood(prompt, 3))  # an answer started, then "later"
    later = await emu.click(clinic.bob, prompt, cid(prompt, ":1h"))
    assert later.ephemeral and "I'll remind you" in text(later), text(later)
    bot = await harness.restart()  # the reminder time is in the database

    def reminders() -> list[Message]:
        return [m for m in emu.dms(clinic.bob) if "gentle reminder" in m.content]

    await at(travel, bot, TUESDAY_9AM + timedelta(minutes=59))
    assert reminders() == []
    await at(travel, bot, TUESDAY_9AM + timedelta(hours=1))
    await emu.wait_for(lambda: len(reminders()) == 1, what="the reminder asked for")

    tonight = await emu.click(clinic.bob, prompt, cid(prompt, ":tonight"))
    eight_pm = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # 8 pm in Chicago
    assert f"<t:{int(eight_pm.timestamp())}:t>" in text(tonight), text(tonight)
    await at(travel, bot, eight_pm)
    await emu.wait_for(lambda: len(reminders()) == 2, what="tonight's reminder")
    assert "Mood" in text(prompt) and "3" in text(prompt)  # the answer started is kept
    await submit(emu, clinic.bob, prompt)
    assert not [c for c in button_ids(prompt) if ":snooze:" in c]  # answered: nothing to snooze


# --- restarts, DST, the grace window -------------------------------------------------------


async def test_restart_before_the_prompt_loses_and_doubles_nothing(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    bot = await harness.restart()
    assert [j.next_run_time for j in bot.scheduler.jobs("checkins:prompt:")] == [TUESDAY_9AM]
    await at(travel, bot, TUESDAY_9AM)
    [prompt] = await wait_prompts(emu, clinic.bob, 1)
    bot = await harness.restart()  # after sending: the occurrence is not sent again
    bot.scheduler.wakeup()
    assert [j.next_run_time for j in bot.scheduler.jobs("checkins:prompt:")] == [TUESDAY_9AM + DAY]
    # The prompt sent before the restart still works (dynamic items).
    assert len(prompts(emu, clinic.bob)) == 1
    done = await quick_checkin(emu, clinic.bob, prompt, mood=3)
    assert "Thanks for checking in" in done
    assert len(await rows(bot, "SELECT id FROM checkin_prompts")) == 1


async def test_a_queued_prompt_survives_a_restart(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    # Discord refuses the DM with a quick 503 once: the claim is recorded, the send fails.
    cog = bot.get_cog("Checkins")
    assert cog is not None
    settings = await cog.store.settings(clinic.guild.id, clinic.bob.user.id)  # type: ignore[attr-defined]
    assert settings is not None
    # Claim the occurrence as the job would, then stop before it could be sent.
    prompt_id = await cog.store.claim_occurrence(  # type: ignore[attr-defined]
        settings, TUESDAY_9AM, late=False, now=TUESDAY_9AM
    )
    assert prompt_id is not None
    travel.move_to(TUESDAY_9AM + timedelta(minutes=5))
    bot = await harness.restart()
    [prompt] = await wait_prompts(emu, clinic.bob, 1)
    assert "How are you doing today?" in text(prompt)
    bot.scheduler.wakeup()
    assert [j.next_run_time for j in bot.scheduler.jobs("checkins:prompt:")] == [TUESDAY_9AM + DAY]


@pytest.mark.parametrize(
    ("down_for", "sent_late"),
    [(timedelta(minutes=30), True), (timedelta(hours=3), False)],
)
async def test_prompt_missed_while_down_is_sent_late_only_within_the_grace_window(
    travel: time_machine.Coordinates,
    emu: Emulator,
    clinic: Clinic,
    harness: Harness,
    down_for: timedelta,
    sent_late: bool,
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    await harness.stop()
    travel.move_to(TUESDAY_9AM + down_for)
    bot = await harness.start()
    if sent_late:
        await wait_prompts(emu, clinic.bob, 1)
    else:
        assert prompts(emu, clinic.bob) == []
    await settle(bot)
    await delivered(bot)
    assert [j.next_run_time for j in bot.scheduler.jobs("checkins:prompt:")] == [TUESDAY_9AM + DAY]
    assert len(prompts(emu, clinic.bob)) == int(sent_late)


async def test_nine_am_stays_nine_am_across_daylight_saving(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    saturday = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 09:00 CST
    sunday = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # 09:00 CDT
    travel.move_to(saturday - timedelta(hours=2))
    configured.scheduler.wakeup()  # Tuesday..Friday were missed (too late): skipped quietly
    await emu.wait_for(
        lambda: (
            [j.next_run_time for j in configured.scheduler.jobs("checkins:prompt:")] == [saturday]
        ),
        what="Saturday's job",
    )
    await at(travel, configured, saturday)
    await wait_prompts(emu, clinic.bob, 1)
    await emu.wait_for(
        lambda: (
            [j.next_run_time for j in configured.scheduler.jobs("checkins:prompt:")] == [sunday]
        ),
        what="Sunday's job at 14:00 UTC",
    )
    await at(travel, configured, sunday)
    await wait_prompts(emu, clinic.bob, 2)
    await delivered(configured)
    days = await rows(configured, "SELECT local_day FROM checkin_prompts WHERE status = 'sent'")
    assert [d[0] for d in days] == ["2026-03-08"]  # Saturday's expired when Sunday's came


# --- leaving the program -------------------------------------------------------------------


async def test_removed_or_graduated_people_get_no_prompts_and_alumni_can_go_weekly(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    await emu.invoke(
        clinic.alice, clinic.general, "cohort graduate member", member=clinic.bob, cohort=COHORT
    )
    await emu.wait_for(lambda: not configured.scheduler.jobs("checkins:prompt:"), what="stop")
    await at(travel, configured, TUESDAY_9AM)
    assert prompts(emu, clinic.bob) == []
    refused = await emu.invoke(
        clinic.bob, clinic.general, "checkin settings", enabled=True, days="mon,tue"
    )
    assert "one check-in a week" in text(refused)
    weekly = await emu.invoke(clinic.bob, clinic.general, "checkin settings", enabled=True)
    assert "weekly on Sun at 09:00" in text(weekly), text(weekly)
    [job] = configured.scheduler.jobs("checkins:prompt:")
    assert job.next_run_time == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)


async def test_removed_member_is_not_prompted(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    await emu.invoke(
        clinic.alice, clinic.general, "cohort remove", member=clinic.bob, cohort=COHORT
    )
    await emu.wait_for(lambda: not configured.scheduler.jobs("checkins:prompt:"), what="stop")
    await at(travel, configured, TUESDAY_9AM)
    assert prompts(emu, clinic.bob) == []
    [reason] = await rows(configured, "SELECT stopped_reason FROM checkin_settings")
    assert reason == ("removed",)


# --- /checkin now and replacing ------------------------------------------------------------


async def test_checkin_now_is_private_and_a_second_replaces_after_confirmation(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    first = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert first.ephemeral and first.message is not None
    seen_by_alice = {m.id for m in emu.visible_messages(clinic.alice, clinic.general)}
    assert first.message.id not in seen_by_alice
    assert "Thanks" in await quick_checkin(emu, clinic.bob, first.message, mood=2)
    second = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert second.message is not None
    ask = await quick_checkin(emu, clinic.bob, second.message, mood=4)
    assert "Replace it" in " ".join(button_ids(second.message)) or "replace" in ask.lower()
    replace = cid(second.message, ":replace:")
    res = await emu.click(clinic.bob, second.message, replace)
    if res.kind == "deferred_update":
        await res.wait_for_edit()
    assert "Thanks" in second.message.content
    assert await rows(configured, "SELECT mood FROM checkins") == [(4,)]
    # A third, kept as the first.
    third = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert third.message is not None
    await quick_checkin(emu, clinic.bob, third.message, mood=1)
    keep = await emu.click(clinic.bob, third.message, cid(third.message, ":keep:"))
    assert "kept your earlier check-in" in text(keep)
    assert await rows(configured, "SELECT mood FROM checkins") == [(4,)]


# --- progress, history, digest -------------------------------------------------------------


async def test_progress_shows_streak_averages_and_a_png_chart(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    empty = await emu.invoke(clinic.bob, clinic.general, "progress")
    assert "No check-ins in the last 30 days" in text(empty)
    now = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert now.message is not None
    await emu.select(clinic.bob, now.message, cid(now.message, ":cravings:"), ["6"])
    await quick_checkin(emu, clinic.bob, now.message, mood=3)
    res = await emu.invoke(clinic.bob, clinic.general, "progress", days=14)
    assert res.ephemeral
    assert field(res, "Streak") == "1 day"
    assert field(res, "Average mood") == "3/5"
    assert field(res, "Average cravings") == "6/10"
    assert res.message is not None
    [png] = res.message.attachments
    assert png.filename == "checkins.png" and png.data.startswith(b"\x89PNG")


async def test_history_is_for_facilitators_only(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    now = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert now.message is not None
    opened = await emu.click(clinic.bob, now.message, cid(now.message, ":note:"))
    await emu.submit_modal(clinic.bob, opened, {"note": "Slept badly, cravings after dinner"})
    await quick_checkin(emu, clinic.bob, now.message, mood=2)
    refused = await emu.invoke(clinic.bob, clinic.general, "checkin history", member=clinic.bob)
    assert "Only facilitators" in text(refused)
    nobody = await emu.invoke(clinic.alice, clinic.general, "checkin history", member=clinic.dana)
    assert "never been enrolled" in text(nobody)
    res = await emu.invoke(clinic.alice, clinic.general, "checkin history", member=clinic.bob)
    assert res.ephemeral
    body = text(res)
    assert "Slept badly" in body and "Mood 2/5" in body
    assert res.message is not None and res.message.attachments
    assert emu.ephemerals(clinic.bob)[-1].id != res.message.id


async def test_daily_digest_flags_what_matters_once_per_day(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    refused = await emu.invoke(clinic.bob, clinic.general, "checkin digest", time="07:30")
    assert "Only facilitators" in text(refused)
    bad = await emu.invoke(clinic.alice, clinic.general, "checkin digest", time="7")
    assert "needs minutes" in text(bad)
    res = await emu.invoke(clinic.alice, clinic.general, "checkin digest", time="07:30")
    assert "07:30 (America/Chicago)" in text(res)
    # Bob checks in on Tuesday with low mood, high cravings and reported use.
    await at(travel, bot, TUESDAY_9AM)
    [prompt] = await wait_prompts(emu, clinic.bob, 1)
    await emu.select(clinic.bob, prompt, cid(prompt, ":cravings:"), ["8"])
    await emu.click(clinic.bob, prompt, f"lantern:checkin:used:{prompt_id(prompt)}:yes")
    await quick_checkin(emu, clinic.bob, prompt, mood=1)
    wednesday_digest = datetime(2026, 3, 4, 13, 30, tzinfo=UTC)  # 07:30 CST
    before = len(emu.messages_in(clinic.mod_log))
    await at(travel, bot, wednesday_digest)
    digest = await emu.wait_for_message(
        clinic.mod_log, author=emu.bot_user, check=lambda m: bool(m.embeds)
    )
    body = text(digest)
    assert "Check-ins · Spring Evening · Tue Mar 03" in body
    assert "Checked in:** 1 of 1" in body
    assert "mood 1/5" in body and "cravings 8/10" in body and "reported use" in body
    assert "/checkin history member:bob" in body
    bot = await harness.restart()  # the same day is not posted again
    bot.scheduler.wakeup()
    assert len([m for m in emu.messages_in(clinic.mod_log)[before:] if m.embeds]) == 1
    # Thursday: Bob missed Wednesday and Thursday -> "missed 2 days" on Friday's digest.
    friday_digest = wednesday_digest + 2 * DAY
    await at(travel, bot, friday_digest - timedelta(minutes=1))
    await at(travel, bot, friday_digest)
    await emu.wait_for(
        lambda: any("missed 2 days" in text(m) for m in emu.messages_in(clinic.mod_log)),
        what="Friday's digest",
    )


async def test_a_care_team_gets_its_own_cohorts_digest_in_its_channel(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    dev = emu.create_member(clinic.guild, "dev")
    await create(emu, clinic, "Autumn Morning")
    await enroll(emu, clinic, dev, "Autumn Morning")
    await agree(emu, dev, agreement_message(emu, dev))
    erin = emu.create_member(clinic.guild, "erin")
    room = emu.create_channel(
        clinic.guild,
        "spring-team",
        overwrites={
            clinic.guild: discord.PermissionOverwrite(view_channel=False),
            erin: discord.PermissionOverwrite(view_channel=True),
            clinic.guild.bot_role: discord.PermissionOverwrite(view_channel=True),
        },
    )
    await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=COHORT, member=erin)
    await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort team channel",
        options={"cohort": COHORT, "channel": room},
    )
    await emu.invoke(clinic.alice, clinic.general, "checkin digest", time="08:00")
    await at(travel, configured, datetime(2026, 3, 3, 14, 0, tzinfo=UTC))  # 08:00 CST
    await emu.wait_for(
        lambda: len([m for m in emu.messages_in(clinic.mod_log) if m.embeds]) == 2,
        what="program staff's digest: both cohorts",
    )
    await emu.wait_for(lambda: [m for m in emu.messages_in(room) if m.embeds], what="the team's")
    [theirs] = [m for m in emu.messages_in(room) if m.embeds]
    assert f"Check-ins · {COHORT}" in text(theirs) and "Autumn Morning" not in text(theirs)
    assert theirs.mentions == [] and theirs.mention_roles == []  # a digest never pings


# --- weekly questionnaires and the crisis hook ---------------------------------------------


async def test_weekly_phq9_scores_and_item_9_always_escalates(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    off = await emu.invoke(clinic.bob, clinic.general, "checkin questions")
    assert "doesn't use the weekly questions" in text(off)
    refused = await emu.invoke(
        clinic.bob, clinic.general, "checkin assessments", cohort=COHORT, enabled=True
    )
    assert "Only facilitators" in text(refused)
    res = await emu.invoke(
        clinic.alice, clinic.general, "checkin assessments", cohort=COHORT, enabled=True
    )
    assert "PHQ-9 and GAD-7" in text(res)
    now = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert now.message is not None and any(":weekly:" in c for c in button_ids(now.message))
    start = await emu.invoke(clinic.bob, clinic.general, "checkin questions", which="phq9")
    message = start.message
    assert message is not None and "question 1 of 9" in text(start)
    answers = [1, 2, 1, 2, 1, 1, 0, 0, 1]  # 9 points: mild; item 9 positive
    for item, value in enumerate(answers):
        assert f"question {item + 1} of 9" in text(message)
        await emu.click(
            clinic.bob, message, f"lantern:checkin:assess:{_aid(message)}:{item}:{value}"
        )
    assert "score is **9** (mild)" in message.content
    assert "you don't have to carry that alone" in message.content.lower()
    [row] = await rows(configured, "SELECT instrument, score, band FROM assessments")
    assert row == ("phq9", 9, "mild")
    if configured.get_cog("Crisis") is None:
        pytest.skip("the Crisis cog isn't loaded")
    alert = await emu.wait_for_message(clinic.escalations, check=lambda m: bool(m.embeds))
    # Facilitators see which item and which answer, not "flagged by checkin".
    assert field(alert, "Why") == (
        "• PHQ-9 item 9 (thoughts of being better off dead or of self-harm): 'Several days'"
    )


def _aid(message: Message) -> int:
    return int(next(c for c in button_ids(message) if ":assess:" in c).split(":")[3])


async def test_a_worrying_note_and_risky_answers_reach_the_crisis_pipeline(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    if configured.get_cog("Crisis") is None:
        pytest.skip("the Crisis cog isn't loaded")
    await join(emu, clinic, clinic.bob)
    now = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert now.message is not None
    await emu.select(clinic.bob, now.message, cid(now.message, ":cravings:"), ["9"])
    await emu.click(clinic.bob, now.message, f"lantern:checkin:used:{prompt_id(now.message)}:yes")
    await quick_checkin(emu, clinic.bob, now.message, mood=2)
    await emu.wait_for_message(clinic.escalations, author=emu.bot_user)


async def test_a_calm_check_in_raises_no_alert(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    now = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert now.message is not None
    opened = await emu.click(clinic.bob, now.message, cid(now.message, ":note:"))
    await emu.submit_modal(clinic.bob, opened, {"note": "Good group today."})
    await quick_checkin(emu, clinic.bob, now.message, mood=4)
    assert emu.messages_in(clinic.escalations) == []


# --- the CSV report ------------------------------------------------------------------------


async def test_cohort_report_csv_has_checkins_and_assessments(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    now = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert now.message is not None
    opened = await emu.click(clinic.bob, now.message, cid(now.message, ":note:"))
    await emu.submit_modal(clinic.bob, opened, {"note": '=HYPERLINK("x")'})
    await quick_checkin(emu, clinic.bob, now.message, mood=4)
    cohort = await configured.db.fetch_one("SELECT id FROM cohorts")
    assert cohort is not None
    data = await cohort_report_csv(configured, clinic.guild.id, cohort[0])
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == 1
    assert table[0]["kind"] == "checkin" and table[0]["mood"] == "4"
    assert table[0]["user_id"] == str(clinic.bob.user.id)
    assert table[0]["note"].startswith("'=")  # no formula injection in spreadsheets


async def test_a_hard_check_in_offers_a_coping_exercise(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    good = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert good.message is not None
    await quick_checkin(emu, clinic.bob, good.message, mood=4)
    assert not [c for c in button_ids(good.message) if ":ground:" in c]
    hard = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert hard.message is not None
    await quick_checkin(emu, clinic.bob, hard.message, mood=1)
    replace = cid(hard.message, ":replace:")
    res = await emu.click(clinic.bob, hard.message, replace)
    if res.kind == "deferred_update":
        await res.wait_for_edit()
    assert "two-minute exercise" in hard.message.content
    offered = [c for c in button_ids(hard.message) if ":ground:" in c]
    assert offered, button_ids(hard.message)
    opened = await emu.click(clinic.bob, hard.message, offered[0])
    assert opened.ephemeral or opened.kind in ("message", "deferred")


@pytest.mark.parametrize("answer", ["keep", "replace", None])
async def test_a_second_check_ins_note_is_screened_once_whatever_is_tapped(
    emu: Emulator, clinic: Clinic, configured: LanternBot, answer: str | None
) -> None:
    if configured.get_cog("Crisis") is None:
        pytest.skip("the Crisis cog isn't loaded")
    await join(emu, clinic, clinic.bob)
    first = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    assert first.message is not None
    assert "Thanks" in await quick_checkin(emu, clinic.bob, first.message, mood=4)
    second = await emu.invoke(clinic.bob, clinic.general, "checkin now")
    prompt = second.message
    assert prompt is not None
    await emu.click(clinic.bob, prompt, _mood(prompt, 1))
    opened = await emu.click(clinic.bob, prompt, cid(prompt, ":note:"))
    await emu.submit_modal(clinic.bob, opened, {"note": "i want to kill myself tonight"})
    asked = await submit(emu, clinic.bob, prompt)
    assert "replace it with this one?" in asked
    # Seen as soon as it is submitted, before any answer to the question.
    alert = await emu.wait_for_message(clinic.escalations, check=lambda m: bool(m.embeds))
    assert "kill myself" in alert.embeds[0]["description"]
    if answer is not None:
        res = await emu.click(clinic.bob, prompt, cid(prompt, f":{answer}:"))
        if res.kind == "deferred_update":
            await res.wait_for_edit()
        expected = "kept your earlier" if answer == "keep" else "Thanks"
        assert expected in (prompt.content or text(res))
    await configured.outbox.settled()
    # Exactly once: one alert with one message, one support DM.
    assert await rows(configured, "SELECT messages FROM crisis_alerts") == [(1,)]
    assert len([m for m in emu.dms(clinic.bob) if "carry this alone" in text(m)]) == 1
    mood = 1 if answer == "replace" else 4
    assert await rows(configured, "SELECT mood FROM checkins") == [(mood,)]


async def test_a_digest_due_again_after_a_long_stall_is_still_posted(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    # Tuesday's 08:00 run comes a day late (the machine slept): it is too late to post, and
    # Wednesday's, due a second ago, must still come (it was once dropped as "still running").
    await create(emu, clinic, COHORT)
    await emu.invoke(clinic.alice, clinic.general, "checkin digest", time="08:00")
    await at(travel, configured, datetime(2026, 3, 4, 14, 0, tzinfo=UTC))
    await settle(configured)
    digest = await emu.wait_for_message(clinic.mod_log, check=lambda m: bool(m.embeds))
    assert "Tue Mar 03" in text(digest)
    assert configured.scheduler.jobs("checkins:digest:")  # and Thursday's is armed


async def test_prompts_carry_on_after_the_machine_slept_through_two_of_them(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await join(emu, clinic, clinic.bob)
    await opt_in(emu, clinic, clinic.bob)
    # Tuesday's 9:00 job runs two days late: too late for Tuesday; Thursday's, due a second
    # ago, is sent (it was once dropped as "still running"), and Friday's is armed.
    await at(travel, configured, TUESDAY_9AM + 2 * DAY)
    await settle(configured)
    assert len(await wait_prompts(emu, clinic.bob, 1)) == 1  # Thursday's, once
    jobs = configured.scheduler.jobs("checkins:prompt:")
    assert [j.next_run_time for j in jobs] == [TUESDAY_9AM + 3 * DAY]
