"""Graduation, the alumni space, opt-in congratulations and recovery milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from bot.client import LanternBot
from emulator import Emulator, P
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import agree, agreement_message, channel, create, enroll
from tests.e2e.steps.common import button_ids, confirm, text


async def alumni_space(emu: Emulator, clinic: Clinic) -> None:
    res = await emu.invoke(clinic.alice, clinic.general, "alumni setup")
    assert "Created the alumni space" in text(res), text(res)


async def enrolled(emu: Emulator, clinic: Clinic, *members: object) -> None:
    await create(emu, clinic)
    for member in members:
        await enroll(emu, clinic, member, "Spring Evening")  # type: ignore[arg-type]
        await agree(emu, member, agreement_message(emu, member))  # type: ignore[arg-type]


async def test_alumni_space_is_for_alumni_and_facilitators(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await alumni_space(emu, clinic)
    lounge = channel(emu, clinic, "alumni-lounge")
    assert emu.can_view(clinic.alice, lounge)
    assert not emu.can_view(clinic.bob, lounge)
    emu.add_role(clinic.bob, clinic.alumni_role)
    assert emu.can_view(clinic.bob, lounge)
    for name in ("milestones", "ask-an-alum"):
        assert emu.can_view(clinic.bob, channel(emu, clinic, name))
    again = await emu.invoke(clinic.alice, clinic.general, "alumni setup")
    assert "already exists" in text(again)


async def test_graduate_member_gives_alumni_keeps_history_and_is_idempotent(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await alumni_space(emu, clinic)
    dev = emu.create_member(clinic.guild, "dev")
    await enrolled(emu, clinic, clinic.bob, dev)
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort graduate member",
        member=clinic.bob,
        cohort="Spring Evening",
    )
    assert "Graduated" in text(res), text(res)
    member = emu.member(clinic.guild, clinic.bob)
    assert clinic.alumni_role.id in member.roles
    group = channel(emu, clinic, "group")
    assert emu.can_view(clinic.bob, group)  # keeps reading the history
    assert not emu.permissions(clinic.bob, group) & P.SEND_MESSAGES
    assert emu.permissions(dev, group) & P.SEND_MESSAGES  # the others are unaffected
    assert emu.can_view(clinic.bob, channel(emu, clinic, "alumni-lounge"))

    again = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort graduate member",
        member=clinic.bob,
        cohort="Spring Evening",
    )
    assert "already graduated" in text(again)
    rows = await configured.db.fetch_all("SELECT * FROM graduations")
    assert len(rows) == 1


async def test_an_evening_graduation_is_dated_in_the_programs_timezone(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await enrolled(emu, clinic, clinic.bob)
    travel.move_to(datetime(2026, 3, 3, 3, 0, tzinfo=UTC))  # Monday 21:00 in Chicago
    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort graduate member", member=clinic.bob,
        cohort="Spring Evening",
    )  # fmt: skip
    assert "Graduated" in text(res), text(res)
    row = await configured.db.fetch_one("SELECT graduated_on FROM graduations")
    assert row is not None and row["graduated_on"] == "2026-03-02"  # not UTC's Tuesday


async def test_congratulation_is_posted_only_if_the_graduate_opts_in(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await alumni_space(emu, clinic)
    dev = emu.create_member(clinic.guild, "dev")
    await enrolled(emu, clinic, clinic.bob, dev)
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort graduate all",
        cohort="Spring Evening",
        keep_history=False,
    )
    assert "Graduate **2** person(s)" in text(res)
    assert "Graduated" in await confirm(emu, clinic.alice, res)
    assert not emu.can_view(clinic.bob, channel(emu, clinic, "group"))
    lounge = channel(emu, clinic, "alumni-lounge")
    assert emu.messages_in(lounge) == []  # nothing posted without a yes

    offer = await emu.wait_for_message(
        emu.dm_channel(clinic.bob), check=lambda m: "Congratulations on graduating" in m.content
    )
    share = next(c for c in button_ids(offer) if ":share:" in c)
    done = await emu.click(clinic.bob, offer, share)
    assert "Shared in" in text(done)
    posts = emu.messages_in(lounge)
    assert len(posts) == 1 and f"<@{clinic.bob.user.id}>" in posts[0].content
    assert posts[0].mentions == []  # celebrated, not pinged

    dev_offer = await emu.wait_for_message(
        emu.dm_channel(dev), check=lambda m: "Congratulations on graduating" in m.content
    )
    private = next(c for c in button_ids(dev_offer) if ":private:" in c)
    kept = await emu.click(dev, emu.dms(dev)[-1], private)
    assert "Kept private" in text(kept)
    assert len(emu.messages_in(lounge)) == 1


async def test_milestones_are_opt_in_and_announced_once(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    travel: time_machine.Coordinates,
) -> None:
    await alumni_space(emu, clinic)
    emu.add_role(clinic.bob, clinic.alumni_role)
    # 15:00 UTC on 2026-03-02 is 09:00 in Chicago; 29 days ago -> 30 days tomorrow.
    start = (configured.clock.now() - timedelta(days=29)).date()
    res = await emu.invoke(clinic.bob, clinic.general, "milestone set", start=start.isoformat())
    assert res.ephemeral and "29 days since" in text(res)
    assert "Next milestone: **30 days**" in text(res)
    cog = configured.get_cog("Milestones")
    assert cog is not None
    milestones = channel(emu, clinic, "milestones")

    assert await cog.announce_due() == 0  # type: ignore[attr-defined]
    travel.shift(timedelta(days=1))
    assert await cog.announce_due() == 1  # type: ignore[attr-defined]
    assert await cog.announce_due() == 0  # type: ignore[attr-defined]
    posts = emu.messages_in(milestones)
    assert len(posts) == 1 and "**30 days**" in posts[0].content

    shown = await emu.invoke(clinic.bob, clinic.general, "milestone show")
    assert "30 days since" in text(shown)
    cleared = await emu.invoke(clinic.bob, clinic.general, "milestone clear")
    assert "deleted" in text(cleared)
    travel.shift(timedelta(days=30))
    assert await cog.announce_due() == 0  # type: ignore[attr-defined]


async def test_milestone_date_is_validated(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    future = await emu.invoke(clinic.bob, clinic.general, "milestone set", start="2099-01-01")
    assert "can't be in the future" in text(future)
    garbage = await emu.invoke(clinic.bob, clinic.general, "milestone set", start="last spring")
    assert "isn't a date I understand" in text(garbage)
    row = await configured.db.fetch_one("SELECT COUNT(*) FROM milestones")
    assert row is not None and row[0] == 0


async def test_milestones_survive_a_restart_without_repeats(
    emu: Emulator,
    clinic: Clinic,
    harness: Harness,
    travel: time_machine.Coordinates,
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await alumni_space(emu, clinic)
    emu.add_role(clinic.bob, clinic.alumni_role)
    start = (bot.clock.now() - timedelta(days=30)).date()
    await emu.invoke(clinic.bob, clinic.general, "milestone set", start=start.isoformat())
    assert await bot.get_cog("Milestones").announce_due() == 1  # type: ignore[union-attr]
    bot = await harness.restart()
    assert await bot.get_cog("Milestones").announce_due() == 0  # type: ignore[union-attr]
    assert len(bot.scheduler.jobs("alumni:milestones")) == 1


async def test_a_graduation_whose_offer_was_never_queued_gets_it_at_the_next_start(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    await alumni_space(emu, clinic)
    await enrolled(emu, clinic, clinic.bob)
    # As if Lantern stopped between the graduation's commit and alumni's listener.
    await bot.remove_cog("Alumni")
    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort graduate member", member=clinic.bob,
        cohort="Spring Evening",
    )  # fmt: skip
    assert "Graduated" in text(res), text(res)
    queued = "SELECT COUNT(*) FROM outbox WHERE kind = 'graduation_notice'"
    row = await bot.db.fetch_one(queued)
    assert row is not None and row[0] == 0

    bot = await harness.restart()
    await emu.wait_for_message(
        emu.dm_channel(clinic.bob), check=lambda m: "Congratulations on graduating" in m.content
    )
    bot = await harness.restart()
    assert await bot.get_cog("Alumni").offer_missed_congratulations() == 0  # type: ignore[union-attr]
    row = await bot.db.fetch_one(queued)
    assert row is not None and row[0] == 1
    offers = [
        m for m in emu.messages_in(emu.dm_channel(clinic.bob)) if "Congratulations" in m.content
    ]
    assert len(offers) == 1


async def test_starting_again_is_answered_kindly_and_privately(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await alumni_space(emu, clinic)
    emu.add_role(clinic.bob, clinic.alumni_role)
    today = configured.clock.now().date()
    first = (today - timedelta(days=60)).isoformat()
    await emu.invoke(clinic.bob, clinic.general, "milestone set", start=first)
    again = (today - timedelta(days=2)).isoformat()
    res = await emu.invoke(clinic.bob, clinic.general, "milestone set", start=again)
    assert res.ephemeral and "Starting again is part of recovery" in text(res), text(res)
    same = await emu.invoke(clinic.bob, clinic.general, "milestone set", start=again)
    assert "already your start date" in text(same)
    assert emu.messages_in(channel(emu, clinic, "milestones")) == []  # nobody else is told
