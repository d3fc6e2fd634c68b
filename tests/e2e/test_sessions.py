"""Sessions end to end: the schedule, Discord events, reminders (channel and DM) across DST,
restarts and downtime, RSVPs, attendance with the "we missed you" DM, /schedule in the
participant's own zone, the calendar file, and who may do what.

The clock starts on Monday 2 March 2026, 15:00 UTC (09:00 in Chicago, the program's zone).
A Mon/Wed/Thu 18:00 series starts that evening: 18:00 CST is 00:00 UTC the next day.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from bot.client import LanternBot
from cogs.sessions.api import attendance_rows, missed_sessions
from cogs.sessions.cog import Sessions
from emulator import Emulator
from emulator.model import Member
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import button_ids, logged, text
from tests.e2e.steps.sessions import (
    add,
    announcements,
    bot_posts,
    cohort_of,
    occurrence,
    reminders_in,
    utc,
)

Travel = time_machine.Traveller


async def join(emu: Emulator, clinic: Clinic, member: Member, cohort: str) -> None:
    await enroll(emu, clinic, member, cohort)
    await agree(emu, member, agreement_message(emu, member))


def cog(bot: LanternBot) -> Sessions:
    found = bot.get_cog("Sessions")
    assert isinstance(found, Sessions)
    return found


async def at(travel: Travel, bot: LanternBot, when: datetime) -> None:
    """Move the clock to `when` and let the scheduler do what is due."""
    travel.move_to(when)
    bot.scheduler.wakeup()


async def settle(bot: LanternBot) -> None:
    """Wait until any reminder run in flight is done (the sender's lock), then run once
    more, and wait for the outbox: afterwards nothing due now is left unsent."""
    await cog(bot).ctx.sender.send_due()
    await bot.outbox.settled()


@pytest.fixture
async def spring(emu: Emulator, clinic: Clinic, configured: LanternBot) -> LanternBot:
    """Spring Evening with Bob in it (agreed)."""
    await create(emu, clinic, "Spring Evening")
    await join(emu, clinic, clinic.bob, "Spring Evening")
    return configured


# --- the schedule ---------------------------------------------------------------------------


async def test_add_a_series_lists_it_and_publishes_the_week_as_private_events(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    reply = await add(emu, clinic, location="Room 2", link="https://meet.example/abc")
    assert "Added **Group therapy**" in reply and "Mon/Wed/Thu" in reply
    assert "Next: Mon Mar 2, 6:00 PM CST" in reply
    assert "24 hours, 1 hour before" in reply
    res = await emu.invoke(
        clinic.alice, clinic.general, "session list", cohort="Spring Evening", weeks=2
    )
    listing = text(res)
    assert res.ephemeral
    assert "Mon Mar 2, 6:00 PM CST" in listing
    # Across the US change on Sunday 8 March the session stays at 18:00 local.
    assert "Mon Mar 9, 6:00 PM CDT" in listing
    # Events for the next 7 days, attached to the cohort's voice channel (private to it).
    cohort = await cohort_of(spring, clinic, "Spring Evening")
    events = list(clinic.guild.scheduled_events.values())
    assert sorted(e.scheduled_start_time[:16] for e in events) == [
        "2026-03-03T00:00",
        "2026-03-05T00:00",
        "2026-03-06T00:00",
    ]
    assert {e.channel_id for e in events} == {cohort.voice_channel_id}
    assert all(e.name == "Group therapy · Spring Evening" for e in events)
    assert "Room 2" in (events[0].description or "")
    await logged(emu, clinic.mod_log, "added sessions")
    # Exactly one scheduler job carries every reminder.
    assert [j.id for j in spring.scheduler.jobs("sessions:reminders")] == [
        "sessions:reminders:next"
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"weekdays": "Mnd,Wed"}, "isn't a weekday I know"),
        ({"time": "25:00"}, "hours go from 00 to 23"),
        ({"time": "evening"}, "isn't a time I understand"),
        ({"duration": "forever"}, "isn't a duration"),
        ({"starts": "2026-04-01", "ends": "2026-03-20"}, "end date is before the start"),
        ({"starts": "2026-02-27"}, "is in the past"),
        ({"weekdays": "once", "starts": "2026-03-02", "time": "08:00"}, "no session in the future"),
        ({"weekdays": "once"}, "needs its date"),
        ({"link": "ftp://files.example"}, "https://"),
        ({"title": "   "}, "Give the session a title"),
        ({"cohort": "Nope"}, "There's no cohort called"),
    ],
)
async def test_bad_input_is_refused_clearly_and_changes_nothing(
    travel: Travel,
    emu: Emulator,
    clinic: Clinic,
    spring: LanternBot,
    options: dict[str, object],
    expected: str,
) -> None:
    reply = await add(emu, clinic, **options)
    assert expected in reply, reply
    row = await spring.db.fetch_one("SELECT COUNT(*) AS n FROM session_series")
    assert row is not None and row["n"] == 0
    assert clinic.guild.scheduled_events == {}


async def test_a_one_off_session_and_its_clock_change_note(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    reply = await add(
        emu, clinic, title="Family night", weekdays="once", starts="2026-03-12", kind="family"
    )
    assert "once on Thu Mar 12" in reply and "family session" in reply
    # 02:30 on Sunday 8 March doesn't exist in Chicago: said so, and moved to 03:30.
    reply = await add(emu, clinic, title="Early", weekdays="Sun", time="2:30am", duration="1h")
    assert "doesn't exist" in reply and "3:30 AM" in reply
    sid = await occurrence(spring, "2026-03-08T02:30:00")
    row = await spring.db.fetch_one(
        "SELECT starts_at FROM session_occurrences WHERE id = ?", (sid,)
    )
    assert row is not None and row["starts_at"] == "2026-03-08T08:30:00+00:00"


async def test_participants_are_refused_even_when_an_admin_opens_the_commands(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await add(emu, clinic)
    emu.override_command(clinic.guild, "session", clinic.guild)
    emu.override_command(clinic.guild, "attendance", clinic.guild)
    sid = str(await occurrence(spring, "2026-03-02T18:00:00"))
    attempts = [
        ("session add", {"cohort": "Spring Evening", "title": "Mine", "weekdays": "Tue",
                         "time": "10:00", "duration": "1h"}),
        ("session list", {"cohort": "Spring Evening"}),
        ("session cancel", {"session": sid}),
        ("session move", {"session": sid, "time": "17:00"}),
        ("session rsvps", {"session": sid}),
        ("session reminders", {"lead_times": "5m"}),
        ("session delete", {"series": "1"}),
        ("attendance", {"cohort": "Spring Evening"}),
    ]  # fmt: skip
    for command, options in attempts:
        res = await emu.invoke(clinic.bob, clinic.general, command, options=options)
        assert res.ephemeral and "Only facilitators" in text(res), command
    choices = await emu.autocomplete(clinic.bob, clinic.general, "session cancel", "session", "")
    assert choices == []
    row = await spring.db.fetch_one("SELECT COUNT(*) AS n FROM session_series")
    assert row is not None and row["n"] == 1
    # Dana (Manage Server) counts as a facilitator.
    res = await emu.invoke(clinic.dana, clinic.general, "session list", cohort="Spring Evening")
    assert "Group therapy" in text(res)


# --- reminders ------------------------------------------------------------------------------


async def test_channel_and_dm_reminders_arrive_once_with_rsvp_buttons(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    res = await emu.invoke(clinic.bob, clinic.general, "schedule", dm_reminders=True, dm_lead="2h")
    assert "DM reminders: on, 2 hours before" in text(res)
    await add(emu, clinic)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    sid = await occurrence(spring, "2026-03-02T18:00:00")

    # Bob's own lead: 2 hours before 18:00 CST = 22:00 UTC.
    await at(travel, spring, utc(2026, 3, 2, 22, 0, 1))
    dm = await emu.wait_for(lambda: [m for m in emu.dms(clinic.bob) if "⏰" in text(m)])
    assert "Group therapy in 2 hours" in text(dm[0]) and "Cohort: Spring Evening" in text(dm[0])
    assert reminders_in(emu, channel) == []

    # The cohort's: 1 hour before, in #announcements, with the RSVP buttons.
    await at(travel, spring, utc(2026, 3, 2, 23, 0, 1))
    posted = await emu.wait_for_message(channel, author=emu.bot_user)
    assert "Group therapy in 1 hour" in text(posted)
    assert "**Mon Mar 2, 6:00 PM CST** to 9:00 PM" in text(posted)
    assert button_ids(posted) == [f"lantern:rsvp:yes:{sid}", f"lantern:rsvp:no:{sid}"]
    await settle(spring)
    assert len(reminders_in(emu, channel)) == 1
    assert len([m for m in emu.dms(clinic.bob) if "⏰" in text(m)]) == 1
    counts = await cog(spring).ctx.reminders.reminder_counts()
    assert counts.get("sent") == 2 and "failed" not in counts


async def test_rsvp_yes_no_with_a_reason_only_facilitators_see(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    erin = emu.create_member(clinic.guild, "erin")
    await join(emu, clinic, erin, "Spring Evening")
    await add(emu, clinic)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    sid = await occurrence(spring, "2026-03-02T18:00:00")
    await at(travel, spring, utc(2026, 3, 2, 23, 0, 1))
    posted = await emu.wait_for_message(channel, author=emu.bot_user)

    res = await emu.click(clinic.bob, posted, f"lantern:rsvp:yes:{sid}")
    assert res.ephemeral and "See you there" in text(res)
    res = await emu.click(erin, posted, f"lantern:rsvp:no:{sid}")
    assert res.kind == "modal"
    done = await emu.submit_modal(erin, res, {"reason": "Work shift @everyone"})
    assert done.ephemeral and "Only facilitators will see your reason" in text(done)
    # Nobody else can read the reason: it is not in the channel.
    assert all("Work shift" not in text(m) for m in emu.messages_in(channel))

    res = await emu.invoke(clinic.alice, clinic.general, "session rsvps", session=str(sid))
    body = text(res)
    assert res.ephemeral and "Expected: **1** of 2" in body
    assert f"<@{erin.user.id}>: Work shift @everyone" in body
    listing = text(
        await emu.invoke(clinic.alice, clinic.general, "session list", cohort="Spring Evening")
    )
    assert "✅ 1 ❌ 1" in listing
    # Saying "no" again keeps the reason; someone from another cohort can't answer.
    res = await emu.click(erin, posted, f"lantern:rsvp:no:{sid}")
    assert res.kind == "modal"
    answers = await cog(spring).ctx.attendance.rsvps(sid)
    assert answers[erin.user.id] == ("no", "Work shift @everyone")
    res = await emu.click(clinic.bob, posted, f"lantern:rsvp:yes:{sid}")
    assert "See you there" in text(res)
    # Only the cohort's members answer: a facilitator reading the channel is told so.
    res = await emu.click(clinic.alice, posted, f"lantern:rsvp:yes:{sid}")
    assert res.ephemeral and "Only members of this session's cohort" in text(res)


async def test_day_leads_follow_the_wall_clock_across_the_spring_change(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    # Sunday 8 March 18:00 CDT; "24 hours before" is Saturday 18:00 CST = 00:00 UTC Sunday,
    # 23 real hours before (the night loses an hour).
    await add(emu, clinic, title="Sunday group", weekdays="Sun", starts="2026-03-08")
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    row = await spring.db.fetch_one(
        "SELECT due_at FROM session_reminders WHERE lead_minutes = 1440 ORDER BY due_at LIMIT 1"
    )
    assert row is not None and row["due_at"] == "2026-03-08T00:00:00+00:00"
    await at(travel, spring, utc(2026, 3, 8, 0, 0, 1))
    posted = await emu.wait_for_message(channel, author=emu.bot_user)
    assert "Sunday group in 24 hours" in text(posted)
    assert "Sun Mar 8, 6:00 PM CDT" in text(posted)
    # And the hour-before one is at 22:00 UTC (17:00 CDT).
    await at(travel, spring, utc(2026, 3, 8, 22, 0, 1))
    later = await emu.wait_for_message(channel, author=emu.bot_user, after=posted)
    assert "Sunday group in 1 hour" in text(later)


async def test_a_restart_right_before_a_reminder_neither_skips_nor_doubles_it(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot, harness: Harness
) -> None:
    await add(emu, clinic)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    travel.move_to(utc(2026, 3, 2, 22, 59, 55))
    bot = await harness.restart()
    assert [j.id for j in bot.scheduler.jobs("sessions:")] == [
        "sessions:plan:all",
        "sessions:reminders:next",
    ] or sorted(j.id for j in bot.scheduler.jobs("sessions:")) == [
        "sessions:plan:all",
        "sessions:reminders:next",
    ]
    await at(travel, bot, utc(2026, 3, 2, 23, 0, 1))
    await emu.wait_for_message(channel, author=emu.bot_user)
    bot = await harness.restart()  # right after: it must not come again
    await settle(bot)
    assert len(reminders_in(emu, channel)) == 1
    # No duplicate occurrences from rebuilding twice either.
    row = await bot.db.fetch_one(
        "SELECT COUNT(*) AS n FROM session_occurrences WHERE original_start = ?",
        ("2026-03-02T18:00:00",),
    )
    assert row is not None and row["n"] == 1


async def test_after_downtime_past_reminders_are_skipped_not_sent_late(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot, harness: Harness
) -> None:
    await add(emu, clinic)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    await harness.stop()
    travel.move_to(utc(2026, 3, 2, 23, 30))  # the 23:00 reminder was due while we were down
    bot = await harness.start()
    await settle(bot)
    assert reminders_in(emu, channel) == []
    row = await bot.db.fetch_one(
        "SELECT r.status FROM session_reminders r JOIN session_occurrences o "
        "ON o.id = r.occurrence_id WHERE o.original_start = ? AND r.lead_minutes = 60",
        ("2026-03-02T18:00:00",),
    )
    assert row is not None and row["status"] == "skipped"
    # The next one (24 hours before Wednesday's, 18:00 CST Tuesday) still comes.
    await at(travel, bot, utc(2026, 3, 4, 0, 0, 1))
    posted = await emu.wait_for_message(channel, author=emu.bot_user)
    assert "in 24 hours" in text(posted) and "Wed Mar 4" in text(posted)


# --- changes --------------------------------------------------------------------------------


async def test_cancel_one_session_tells_people_once_and_its_reminder_never_comes(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await emu.invoke(clinic.bob, clinic.general, "schedule", dm_reminders=True)
    await add(emu, clinic)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    sid = await occurrence(spring, "2026-03-02T18:00:00")
    choices = await emu.autocomplete(
        clinic.alice, clinic.general, "session cancel", "session", "mon mar 2,"
    )
    dms_before = len(emu.dms(clinic.bob))
    assert [c.value for c in choices] == [str(sid)]
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "session cancel",
        session=str(sid),
        message="Snow day, stay safe @everyone",
    )
    assert res.ephemeral and "is cancelled" in text(res) and "sent 1 DM" in text(res)
    notices = bot_posts(emu, channel)
    assert len(notices) == 1 and "Session cancelled" in text(notices[0])
    assert "Snow day" in text(notices[0]) and not notices[0].mention_everyone
    assert len(emu.dms(clinic.bob)) == dms_before + 1  # one notice, by DM
    assert "Session cancelled" in text(emu.dms(clinic.bob)[-1])
    assert len(clinic.guild.scheduled_events) == 2  # its event is gone
    await at(travel, spring, utc(2026, 3, 2, 23, 0, 1))
    await settle(spring)
    assert reminders_in(emu, channel) == []
    again = await emu.invoke(clinic.alice, clinic.general, "session cancel", session=str(sid))
    assert "already cancelled" in text(again)
    schedule = text(await emu.invoke(clinic.bob, clinic.general, "schedule"))
    assert "~~" in schedule and "cancelled" in schedule


async def test_move_one_session_replans_its_reminders_and_its_event(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await add(emu, clinic)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    sid = await occurrence(spring, "2026-03-04T18:00:00")
    res = await emu.invoke(
        clinic.alice, clinic.general, "session move", session=str(sid), time="5pm"
    )
    body = text(res)
    assert "Was:" in body and "Wed Mar 4, 6:00 PM CST" in body
    assert "Wed Mar 4, 5:00 PM CST" in body
    event = next(
        e for e in clinic.guild.scheduled_events.values() if "03-04" in e.scheduled_start_time
    )
    assert event.scheduled_start_time.startswith("2026-03-04T23:00")
    assert len(bot_posts(emu, channel)) == 1  # "Session moved", once
    bad = await emu.invoke(
        clinic.alice, clinic.general, "session move", session=str(sid), date="2026-03-01"
    )
    assert "is in the past" in text(bad)
    bad = await emu.invoke(clinic.alice, clinic.general, "session move", session=str(sid))
    assert "Give a new" in text(bad)
    # Its hour-before reminder is now at 16:00 CST = 22:00 UTC, and says 5:00 PM.
    await at(travel, spring, utc(2026, 3, 4, 22, 0, 1))
    posted = await emu.wait_for(lambda: reminders_in(emu, channel))
    assert "Wed Mar 4, 5:00 PM CST" in text(posted[-1])
    await at(travel, spring, utc(2026, 3, 4, 23, 0, 1))
    await settle(spring)
    assert [("5:00 PM" in text(m)) for m in reminders_in(emu, channel)][-1]
    assert all("Wed Mar 4, 6:00 PM" not in text(m) for m in reminders_in(emu, channel))


async def test_move_the_rest_of_a_series_across_the_dst_change(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await add(emu, clinic)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    sid = await occurrence(spring, "2026-03-09T18:00:00")
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "session move",
        session=str(sid),
        time="17:00",
        scope="following",
        message="New room booking",
    )
    assert "Later sessions of this series follow the new time" in text(res)
    assert len(bot_posts(emu, channel)) == 1  # told once, not once per session
    listing = text(
        await emu.invoke(
            clinic.alice, clinic.general, "session list", cohort="Spring Evening", weeks=3
        )
    )
    assert "Thu Mar 5, 6:00 PM CST" in listing  # before: unchanged
    assert "Mon Mar 9, 5:00 PM CDT" in listing and "Thu Mar 19, 5:00 PM CDT" in listing
    assert "Mon Mar 9, 6:00 PM" not in listing
    rows = await spring.db.fetch_all(
        "SELECT title, starts_on, ends_on FROM session_series ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        ("Group therapy", "2026-03-02", "2026-03-08"),
        ("Group therapy", "2026-03-09", "2026-05-22"),
    ]
    bad = await emu.invoke(
        clinic.alice,
        clinic.general,
        "session move",
        session=str(await occurrence(spring, "2026-03-04T18:00:00")),
        date="2026-03-05",
        scope="following",
    )
    assert "only works for a single session" in text(bad)


async def test_cancel_the_rest_of_a_series_and_delete_a_series(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await add(emu, clinic)
    await add(
        emu, clinic, title="Skills", weekdays="Tue", time="10:00", duration="90m", kind="skills"
    )
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    sid = await occurrence(spring, "2026-03-05T18:00:00")
    res = await emu.invoke(
        clinic.alice, clinic.general, "session cancel", session=str(sid), scope="following"
    )
    assert "are cancelled" in text(res)
    assert len(bot_posts(emu, channel)) == 1
    left = await spring.db.fetch_all(
        "SELECT original_start FROM session_occurrences o JOIN session_series s "
        "ON s.id = o.series_id WHERE s.title = 'Group therapy' AND o.status = 'scheduled'"
    )
    assert [r[0] for r in left] == ["2026-03-02T18:00:00", "2026-03-04T18:00:00"]
    choices = await emu.autocomplete(
        clinic.alice, clinic.general, "session delete", "series", "skills"
    )
    assert len(choices) == 1
    res = await emu.invoke(clinic.alice, clinic.general, "session delete", series=choices[0].value)
    assert "Removed **Skills**" in text(res)
    assert len(bot_posts(emu, channel)) == 2
    assert all("Skills" not in e.name for e in clinic.guild.scheduled_events.values())
    listing = text(
        await emu.invoke(clinic.alice, clinic.general, "session list", cohort="Spring Evening")
    )
    assert "Skills" not in listing


async def test_reminder_lead_times_per_server_and_cohort(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await add(emu, clinic)
    res = await emu.invoke(clinic.alice, clinic.general, "session reminders", lead_times="2h")
    assert "Reminders for this server: 2 hours before" in text(res)
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "session reminders",
        lead_times="30m",
        cohort="Spring Evening",
    )
    assert "**Spring Evening**: 30 minutes before" in text(res)
    channel = await announcements(emu, spring, clinic, "Spring Evening")
    await at(travel, spring, utc(2026, 3, 2, 23, 30, 1))
    posted = await emu.wait_for_message(channel, author=emu.bot_user)
    assert "in 30 minutes" in text(posted)
    for bad, expected in (("8d", "5 minutes to 7 days"), ("soon", "isn't a lead time")):
        res = await emu.invoke(clinic.alice, clinic.general, "session reminders", lead_times=bad)
        assert expected in text(res)
    res = await emu.invoke(clinic.alice, clinic.general, "session reminders", lead_times="default")
    assert "give the `cohort` option" in text(res)


# --- participants ---------------------------------------------------------------------------


async def test_schedule_shows_my_cohort_only_in_my_own_timezone(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await create(emu, clinic, "Beta")
    dev = emu.create_member(clinic.guild, "dev")
    await join(emu, clinic, dev, "Beta")
    await add(emu, clinic)
    await add(emu, clinic, cohort="Beta", title="Beta private skills", weekdays="Tue")
    res = await emu.invoke(clinic.bob, clinic.general, "schedule", timezone="europe/london")
    body = text(res)
    assert res.ephemeral and "Times in Europe/London" in body
    # 18:00 CST = 00:00 GMT; after the US change (8 Mar) 18:00 CDT = 23:00 GMT.
    assert "Tue Mar 3, 12:00 AM GMT" in body and "Mon Mar 9, 11:00 PM GMT" in body
    assert "Beta private skills" not in body
    assert button_ids(res) == ["lantern:sessions:ics"]
    # Discord's own events: Bob never receives Beta's.
    seen = [
        e.data.get("name", "") for e in emu.events_for(clinic.bob, "GUILD_SCHEDULED_EVENT_CREATE")
    ]
    assert seen and all("Beta" not in name for name in seen)
    assert any("Beta" in e.name for e in clinic.guild.scheduled_events.values())
    # Not in a cohort, or not agreed yet.
    res = await emu.invoke(clinic.carol, clinic.general, "schedule")
    assert "not in a cohort" in text(res)
    await enroll(emu, clinic, clinic.carol, "Spring Evening")
    res = await emu.invoke(clinic.carol, clinic.general, "schedule")
    assert "once you've agreed" in text(res)
    bad = await emu.invoke(clinic.bob, clinic.general, "schedule", timezone="Mars/Base")
    assert "isn't a timezone I know" in text(bad)
    bad = await emu.invoke(clinic.bob, clinic.general, "schedule", dm_lead="1h,2h")
    assert "one lead time" in text(bad)


async def test_add_to_calendar_gives_an_ics_file(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    await add(emu, clinic, location="Room 2, Main St")
    res = await emu.invoke(clinic.bob, clinic.general, "schedule")
    got = await emu.click(clinic.bob, res.message, "lantern:sessions:ics")
    assert got.ephemeral and got.message is not None
    (attachment,) = got.message.attachments
    assert attachment.filename == "lantern-sessions.ics"
    body = attachment.data.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20260303T000000Z" in body and "DTSTART:20260309T230000Z" in body
    assert "LOCATION:Room 2\\, Main St" in body
    assert body.count("BEGIN:VEVENT") == 12  # four weeks of Mon/Wed/Thu


# --- attendance -----------------------------------------------------------------------------


async def test_attendance_marks_and_a_kind_missed_you_dm_once(
    travel: Travel, emu: Emulator, clinic: Clinic, spring: LanternBot
) -> None:
    dev = emu.create_member(clinic.guild, "dev")
    await join(emu, clinic, dev, "Spring Evening")
    await emu.invoke(dev, clinic.general, "schedule", missed_dm=False)
    await add(emu, clinic)
    early = await emu.invoke(clinic.alice, clinic.general, "attendance", cohort="Spring Evening")
    assert "no session in the last 30 days" in text(early)
    sid = await occurrence(spring, "2026-03-02T18:00:00")
    not_yet = await emu.invoke(
        clinic.alice, clinic.general, "attendance", cohort="Spring Evening", session=str(sid)
    )
    assert "hasn't started yet" in text(not_yet)

    travel.move_to(utc(2026, 3, 3, 4))  # after Monday's session
    res = await emu.invoke(clinic.alice, clinic.general, "attendance", cohort="Spring Evening")
    assert res.ephemeral and "Mon Mar 2, 6:00 PM CST" in text(res)
    assert button_ids(res) == [
        f"lantern:attend:present:{sid}",
        f"lantern:attend:absent:{sid}",
        f"lantern:attend:excused:{sid}",
    ]
    before = len(emu.dms(clinic.bob))
    done = await emu.select(
        clinic.alice,
        res.message,
        f"lantern:attend:absent:{sid}",
        [str(clinic.bob.user.id), str(dev.user.id)],
    )
    if done.kind == "deferred_update":
        await done.wait_for_edit()
    assert f"<@{clinic.bob.user.id}>: **absent**" in text(res)
    missed = emu.dms(clinic.bob)[before:]
    assert len(missed) == 1 and "we missed you at **Group therapy**" in missed[0].content
    assert all("missed you" not in m.content for m in emu.dms(dev))  # opted out
    # Marking again doesn't send again; excused later isn't "missed".
    await emu.select(
        clinic.alice, res.message, f"lantern:attend:absent:{sid}", [str(clinic.bob.user.id)]
    )
    assert len(emu.dms(clinic.bob)) == before + 1
    await emu.select(clinic.alice, res.message, f"lantern:attend:excused:{sid}", [str(dev.user.id)])
    since = utc(2026, 3, 1)
    assert await missed_sessions(spring.db, clinic.guild.id, clinic.bob.user.id, since) == 1
    assert await missed_sessions(spring.db, clinic.guild.id, dev.user.id, since) == 0
    cohort = await cohort_of(spring, clinic, "Spring Evening")
    rows = await attendance_rows(spring.db, cohort.id)
    assert {(r["user_id"], r["status"]) for r in rows} == {
        (clinic.bob.user.id, "absent"),
        (dev.user.id, "excused"),
    }
    assert rows[0]["local_start"] == "2026-03-02T18:00" and rows[0]["timezone"] == "America/Chicago"
    # A participant pressing the select (e.g. from a forwarded copy) is refused.
    refused = await cog(spring).ctx.attendance.marks(sid)
    assert refused[clinic.bob.user.id] == "absent"
