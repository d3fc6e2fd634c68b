"""Aftercare: a quiet alumnus gets one warm DM at most every 30 days (opt-out-able), program
staff get a weekly list without content, `/alumni outreach days:`, and the weekly check-in
offered at graduation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine

from bot.client import LanternBot
from bot.cogs import loaded_cog
from cogs.alumni.cog import Alumni
from emulator import Emulator
from emulator.model import Member, Message
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.checkins import opt_in, prompts
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import button_ids, text
from tests.e2e.steps.scheduler import settle

SPRING = "Spring Evening"
# The clinic starts on Monday 2026-03-02, 09:00 in Chicago; outreach runs from 11:00.
QUIET = timedelta(days=15, hours=2)


async def graduate(emu: Emulator, clinic: Clinic, *people: Member) -> None:
    await create(emu, clinic, SPRING)
    for who in people:
        await enroll(emu, clinic, who, SPRING)
        await agree(emu, who, agreement_message(emu, who))
        res = await emu.invoke(
            clinic.alice, clinic.general, "cohort graduate member", member=who, cohort=SPRING
        )
        assert "Graduated" in text(res), text(res)


def cog(bot: LanternBot) -> Alumni:
    found = loaded_cog(bot, Alumni)
    assert found is not None
    return found


async def run(bot: LanternBot) -> int:
    queued = await cog(bot).aftercare.outreach.run_due()
    await bot.outbox.settled()
    return queued


async def seen(bot: LanternBot, count: int) -> None:
    """Wait until the bot's message listener has noted `count` authors."""
    tracker = cog(bot).aftercare.last_messages
    deadline = asyncio.get_running_loop().time() + 5
    while tracker.waiting < count:
        assert asyncio.get_running_loop().time() < deadline, "messages never noted"
        await asyncio.sleep(0.01)


async def known_events(bot: LanternBot, clinic: Clinic, count: int) -> None:
    """Wait until the bot has heard of `count` scheduled events on the clinic's server."""
    guild = bot.get_guild(clinic.guild.id)
    deadline = asyncio.get_running_loop().time() + 5
    while guild is None or len(guild.scheduled_events) < count:
        assert asyncio.get_running_loop().time() < deadline, "events never arrived"
        await asyncio.sleep(0.01)
        guild = bot.get_guild(clinic.guild.id)


def outreach_dms(emu: Emulator, who: Member) -> list[Message]:
    return [m for m in emu.dms(who) if "Thinking of you" in text(m)]


async def test_a_quiet_alumnus_gets_one_dm_then_none_for_30_days(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await emu.invoke(clinic.alice, clinic.general, "alumni setup")
    await graduate(emu, clinic, clinic.bob)
    travel.shift(timedelta(days=3, hours=2))
    assert await run(configured) == 0  # graduated 3 days ago: not quiet
    travel.shift(timedelta(days=12, hours=-2))  # quiet long enough, but 09:00 local
    assert await run(configured) == 0
    travel.shift(timedelta(hours=2))
    now = configured.clock.now()
    emu.create_event(clinic.guild, "Alumni coffee", start=now + timedelta(days=3))
    emu.create_event(clinic.guild, "Summer picnic", start=now + timedelta(days=60))
    await known_events(configured, clinic, 2)
    assert await run(configured) == 1
    assert await run(configured) == 0
    [dm] = outreach_dms(emu, clinic.bob)
    body = text(dm)
    assert "Alumni coffee" in body and "Summer picnic" not in body  # the next 30 days
    assert "thinking of you" in body and "No pressure" in body
    assert "alumni lounge" in body and "<#" in body
    assert "988" in body and "not an emergency service" in body
    guild_id = clinic.guild.id
    assert button_ids(dm) == [f"lantern:outreach:stop:{guild_id}"]

    for days in (1, 20, 8):  # 29 days after the DM: still nothing
        travel.shift(timedelta(days=days))
        assert await run(configured) == 0
    assert len(outreach_dms(emu, clinic.bob)) == 1
    travel.shift(timedelta(days=1))  # 30 days after it
    assert await run(configured) == 1
    assert len(outreach_dms(emu, clinic.bob)) == 2


async def test_a_message_in_the_server_resets_quietness_after_a_flush(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await graduate(emu, clinic, clinic.bob)
    travel.shift(QUIET)
    await emu.say(clinic.bob, clinic.general, "a private thought about my week")
    await emu.say(clinic.alice, clinic.general, "hello all")  # staff, not an alum
    await seen(configured, 2)
    assert await cog(configured).aftercare.last_messages.flush() == 1
    rows = await configured.db.fetch_all("SELECT * FROM alumni_last_message")
    assert [(r["user_id"], sorted(r.keys())) for r in rows] == [
        (clinic.bob.user.id, ["guild_id", "last_message_at", "user_id"])
    ]
    assert await run(configured) == 0
    travel.shift(timedelta(days=14))
    assert await run(configured) == 1
    [line] = await configured.db.fetch_all("SELECT last_message_at FROM alumni_last_message")
    assert line[0].startswith((configured.clock.now() - timedelta(days=14)).date().isoformat())


async def test_an_alum_missing_from_the_member_cache_still_counts_as_active(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await graduate(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, clinic.general, "still here")
    await seen(configured, 1)
    guild = configured.get_guild(clinic.guild.id)
    assert guild is not None
    guild._remove_member(guild.get_member(clinic.bob.user.id))  # type: ignore[arg-type]
    # A big server isn't chunked at start-up: the message's own member is what Lantern knows.
    assert await cog(configured).aftercare.last_messages.flush() == 1


async def test_outreach_loads_the_member_list_before_deciding_who_left(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await graduate(emu, clinic, clinic.bob)
    travel.shift(QUIET)
    guild = configured.get_guild(clinic.guild.id)
    assert guild is not None
    guild._remove_member(guild.get_member(clinic.bob.user.id))  # type: ignore[arg-type]
    assert not guild.chunked  # as on a big server after a start
    assert await run(configured) == 1  # Bob is still a member, so he is reached


async def test_stop_these_messages_stops_them_and_start_again_restarts(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await graduate(emu, clinic, clinic.bob)
    travel.shift(QUIET)
    assert await run(configured) == 1
    [dm] = outreach_dms(emu, clinic.bob)
    stopped = await emu.click(clinic.bob, dm, button_ids(dm)[0])
    assert "no more of these messages" in text(stopped), text(stopped)
    travel.shift(timedelta(days=31))
    assert await run(configured) == 0
    assert len(outreach_dms(emu, clinic.bob)) == 1
    assert stopped.message is not None
    started = await emu.click(clinic.bob, stopped.message, button_ids(stopped)[0])
    assert "Welcome back" in text(started), text(started)
    travel.shift(timedelta(days=1))
    assert await run(configured) == 1


async def test_the_hourly_job_is_rebuilt_at_start_up_and_a_restart_never_sends_twice(
    emu: Emulator, clinic: Clinic, harness: Harness, travel: time_machine.Coordinates
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await graduate(emu, clinic, clinic.bob)
    travel.shift(QUIET)
    bot = await harness.restart()
    assert len(bot.scheduler.jobs("alumni:outreach")) == 1
    travel.shift(timedelta(hours=1, minutes=1))
    await settle(bot)  # the job itself runs the day's outreach
    await emu.wait_for_message(
        emu.dm_channel(clinic.bob), check=lambda m: "Thinking of you" in text(m)
    )
    assert await run(bot) == 0
    bot = await harness.restart()
    assert await run(bot) == 0
    travel.shift(timedelta(hours=1, minutes=1))
    await settle(bot)
    assert await run(bot) == 0
    assert len(outreach_dms(emu, clinic.bob)) == 1


async def test_weekly_list_for_staff_has_last_activity_but_no_content(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    dev, erin = emu.create_member(clinic.guild, "dev"), emu.create_member(clinic.guild, "erin")
    await graduate(emu, clinic, clinic.bob, erin, dev)
    emu.set_dms_closed(erin)
    await emu.say(dev, clinic.general, "my secret words")
    await seen(configured, 1)
    await cog(configured).aftercare.last_messages.flush()
    travel.shift(timedelta(days=15, hours=2))  # Tuesday 11:00: the run, then the week's list
    assert await run(configured) == 3  # erin's DMs are closed: recorded, shown below
    travel.shift(timedelta(days=6))  # Monday 11:00
    assert await run(configured) == 0
    posts = [m for m in emu.messages_in(clinic.mod_log) if "Alumni to reach out to" in text(m)]
    assert len(posts) == 2  # one per week
    listed = text(posts[-1])
    for who in (clinic.bob, erin, dev):
        assert f"<@{who.user.id}>" in listed
    assert f"{SPRING} · graduated Mar 02, 2026" in listed
    assert "last message Mar 02" in listed and "nothing since graduating" in listed
    assert "DMs closed" in listed and "DM'd Mar 17" in listed
    assert "secret" not in listed
    assert await run(configured) == 0
    posts = [m for m in emu.messages_in(clinic.mod_log) if "Alumni to reach out to" in text(m)]
    assert len(posts) == 2
    travel.shift(timedelta(days=31))  # erin's closed DMs aren't knocked on again
    assert await run(configured) == 2
    assert await configured.db.fetch_one(
        "SELECT 1 FROM alumni_outreach WHERE user_id = ? AND dms_closed_at IS NOT NULL",
        (erin.user.id,),
    )


async def test_outreach_days_is_for_program_staff_and_validated(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await graduate(emu, clinic, clinic.bob)
    travel.shift(QUIET)
    refused = await emu.invoke(clinic.bob, clinic.general, "alumni outreach", days=30)
    assert refused.ephemeral and "Only facilitators" in text(refused), text(refused)
    for bad in (3, 181, -1):
        res = await emu.invoke(clinic.alice, clinic.general, "alumni outreach", days=bad)
        assert res.ephemeral and "from 7 to 180" in text(res), text(res)
    assert await configured.db.fetch_one("SELECT * FROM alumni_outreach_settings") is None
    shown = await emu.invoke(clinic.alice, clinic.general, "alumni outreach")
    assert "**14 days**" in text(shown) and "Quiet now: **1** of 1" in text(shown), text(shown)
    longer = await emu.invoke(clinic.alice, clinic.general, "alumni outreach", days=30)
    assert "**30 days**" in text(longer) and "Quiet now: **0** of 1" in text(longer)
    assert await run(configured) == 0


async def test_weekly_checkin_offered_at_graduation(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await graduate(emu, clinic, clinic.bob)
    offer = await emu.wait_for_message(
        emu.dm_channel(clinic.bob), check=lambda m: "Congratulations on graduating" in m.content
    )
    weekly = f"lantern:congrats:weekly:{clinic.guild.id}"
    assert weekly in button_ids(offer)
    first = await emu.click(clinic.bob, offer, weekly)
    assert "weekly on" in text(first) and "18:00" in text(first), text(first)
    assert "/checkin settings" in text(first)
    again = await emu.click(clinic.bob, offer, weekly)
    assert "weekly on" in text(again)
    rows = await configured.db.fetch_all(
        "SELECT cadence, enabled, local_time, days FROM checkin_settings WHERE user_id = ?",
        (clinic.bob.user.id,),
    )
    assert [tuple(r) for r in rows] == [("weekly", 1, "18:00", "6")]
    assert configured.scheduler.jobs("checkins:prompt:")


async def test_a_graduate_who_checked_in_daily_keeps_that_time_weekly_and_is_prompted(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await create(emu, clinic, SPRING)
    await enroll(emu, clinic, clinic.bob, SPRING)
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    assert "every day at 09:00" in await opt_in(emu, clinic, clinic.bob)
    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort graduate member", member=clinic.bob, cohort=SPRING
    )
    assert "Graduated" in text(res), text(res)
    offer = await emu.wait_for_message(
        emu.dm_channel(clinic.bob), check=lambda m: "Congratulations on graduating" in m.content
    )
    await emu.wait_for(lambda: not configured.scheduler.jobs("checkins:prompt:"), what="stop")
    kept = await emu.click(clinic.bob, offer, f"lantern:congrats:weekly:{clinic.guild.id}")
    assert "weekly on Sun at 09:00 (America/Chicago)" in text(kept), text(kept)
    travel.move_to(datetime(2026, 3, 7, 15, 1, tzinfo=UTC))  # Saturday 09:01: nothing
    await settle(configured)
    assert prompts(emu, clinic.bob) == []
    travel.move_to(datetime(2026, 3, 8, 14, 1, tzinfo=UTC))  # Sunday 09:01 (CDT)
    await settle(configured)
    await emu.wait_for(lambda: len(prompts(emu, clinic.bob)) == 1, what="the weekly prompt")
