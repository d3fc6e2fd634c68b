"""Care teams: `/cohort team add|remove|list`, who may change them, and `reach_of` (which
cohorts' people a facilitator may see) for program staff, a team member, a team role and
someone on no team."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import discord
import pytest

from bot.client import LanternBot
from cogs.cohorts.api import OUTSIDE_REACH, Cohort, Membership, reach_of
from cogs.crisis.store import CrisisStore
from emulator import Emulator
from emulator.model import Member
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import text

SPRING, AUTUMN = "Spring Evening", "Autumn Morning"


async def cohort(bot: LanternBot, clinic: Clinic, name: str) -> Cohort:
    found = await Membership(bot.db).by_name(clinic.guild.id, name)
    assert found is not None
    return found


def member(bot: LanternBot, clinic: Clinic, who: Member) -> discord.Member:
    guild = bot.get_guild(clinic.guild.id)
    assert guild is not None
    found = guild.get_member(who.user.id)
    assert found is not None
    return found


async def test_team_add_list_remove_and_what_each_facilitator_reaches(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic, SPRING)
    await create(emu, clinic, AUTUMN)
    erin = emu.create_member(clinic.guild, "erin")  # a clinician of the spring group only
    evening = emu.create_role(clinic.guild, "Evening team")
    frank = emu.create_member(clinic.guild, "frank", roles=[evening])

    added = await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=SPRING,
                             member=erin)  # fmt: skip
    assert "Added" in text(added) and added.ephemeral, text(added)
    role_added = await emu.invoke(
        clinic.alice, clinic.general, "cohort team add", cohort=AUTUMN, member=evening
    )
    assert "Added" in text(role_added), text(role_added)
    again = await emu.invoke(
        clinic.alice, clinic.general, "cohort team add", cohort=SPRING, member=erin
    )
    assert "already on" in text(again) and again.ephemeral

    listed = await emu.invoke(clinic.alice, clinic.general, "cohort team list", cohort=SPRING)
    assert f"<@{erin.user.id}>" in text(listed) and listed.ephemeral
    empty = await emu.invoke(clinic.alice, clinic.general, "cohort team list", cohort=AUTUMN)
    assert f"<@&{evening.id}>" in text(empty)

    spring, autumn = (
        await cohort(configured, clinic, SPRING),
        await cohort(configured, clinic, AUTUMN),
    )
    config = await configured.guild_configs.get(clinic.guild.id)
    staff = await reach_of(configured.db, member(configured, clinic, clinic.alice), config)
    assert staff.staff and staff.covers(spring.id) and staff.covers(autumn.id)
    mine = await reach_of(configured.db, member(configured, clinic, erin), config)
    assert not mine.staff and mine.covers(spring.id) and not mine.covers(autumn.id)
    by_role = await reach_of(configured.db, member(configured, clinic, frank), config)
    assert by_role.covers(autumn.id) and not by_role.covers(spring.id)
    nobody = await reach_of(configured.db, member(configured, clinic, clinic.bob), config)
    assert not nobody.any and not nobody.covers(spring.id)

    removed = await emu.invoke(
        clinic.alice, clinic.general, "cohort team remove", cohort=SPRING, member=erin
    )
    assert "Removed" in text(removed), text(removed)
    gone = await emu.invoke(
        clinic.alice, clinic.general, "cohort team remove", cohort=SPRING, member=erin
    )
    assert "isn't on" in text(gone)
    after = await reach_of(configured.db, member(configured, clinic, erin), config)
    assert not after.any
    await emu.wait_for_message(clinic.mod_log, check=lambda m: "removed" in m.content)
    log = [m.content for m in emu.messages_in(clinic.mod_log) if "care team" in m.content]
    assert len(log) == 3 and all(m.mentions == [] for m in emu.messages_in(clinic.mod_log))


async def test_only_program_staff_change_teams_and_bad_choices_change_nothing(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic, SPRING)
    erin = emu.create_member(clinic.guild, "erin")
    await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=SPRING, member=erin)
    # A team member is not program staff: they can't name others.
    refused = await emu.invoke(
        erin, clinic.general, "cohort team add", cohort=SPRING, member=clinic.bob
    )
    assert "Only facilitators" in text(refused) and refused.ephemeral
    participant = await emu.invoke(clinic.bob, clinic.general, "cohort team list", cohort=SPRING)
    assert "Only facilitators" in text(participant)
    everyone = clinic.guild.everyone
    for bad, why in ((everyone, "can't be a care team"), (clinic.guild.bot_role, "can't be")):
        res = await emu.invoke(
            clinic.alice, clinic.general, "cohort team add", cohort=SPRING, member=bad
        )
        assert why in text(res) and res.ephemeral, text(res)
    unknown = await emu.invoke(
        clinic.alice, clinic.general, "cohort team add", cohort="No such", member=erin
    )
    assert "There's no cohort called" in text(unknown)
    rows = await configured.db.fetch_all("SELECT user_id, role_id FROM cohort_team")
    assert [tuple(r) for r in rows] == [(erin.user.id, None)]


async def test_leaving_the_server_or_a_deleted_role_ends_the_seat(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic, SPRING)
    erin = emu.create_member(clinic.guild, "erin")
    evening = emu.create_role(clinic.guild, "Evening team")
    for who in (erin, evening):
        await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=SPRING,
                         member=who)  # fmt: skip
    emu.remove_member(erin)
    emu.delete_role(evening)

    deadline = asyncio.get_running_loop().time() + 5.0
    while (row := await configured.db.fetch_one("SELECT COUNT(*) FROM cohort_team"))[0]:
        assert asyncio.get_running_loop().time() < deadline, f"{row[0]} seat(s) left"
        await asyncio.sleep(0.01)  # polled with a deadline: the listeners run as tasks


async def test_someone_who_left_while_lantern_was_down_is_off_the_team_at_the_next_start(
    emu: Emulator, clinic: Clinic, configured: LanternBot, harness: Harness
) -> None:
    await create(emu, clinic, SPRING)
    erin, finn = emu.create_member(clinic.guild, "erin"), emu.create_member(clinic.guild, "finn")
    evening = emu.create_role(clinic.guild, "Evening team")
    for who in (erin, finn, evening):
        await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=SPRING,
                         member=who)  # fmt: skip
    await harness.stop()
    emu.remove_member(erin)  # nobody is listening: only the next start can notice
    emu.delete_role(evening)
    bot = await harness.start()

    deadline = asyncio.get_running_loop().time() + 5.0
    while len(rows := await bot.db.fetch_all("SELECT user_id, role_id FROM cohort_team")) > 1:
        assert asyncio.get_running_loop().time() < deadline, [tuple(r) for r in rows]
        await asyncio.sleep(0.01)  # polled with a deadline: reconciled after on_ready
    assert [tuple(r) for r in rows] == [(finn.user.id, None)]  # Finn is still here: kept


# --- what a care team member sees: only their cohorts' people, command by command ----------


@dataclass
class TwoGroups:
    """Spring (Bob) looked after by Erin, who is not program staff; Autumn (Dev) is not."""

    erin: Member
    mine: Member
    other: Member


@pytest.fixture
async def groups(emu: Emulator, clinic: Clinic, configured: LanternBot) -> TwoGroups:
    await create(emu, clinic, SPRING)
    await create(emu, clinic, AUTUMN)
    dev = emu.create_member(clinic.guild, "dev")
    for who, name in ((clinic.bob, SPRING), (dev, AUTUMN)):
        await enroll(emu, clinic, who, name)
        await agree(emu, who, agreement_message(emu, who))
    erin = emu.create_member(clinic.guild, "erin")
    res = await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=SPRING,
                           member=erin)  # fmt: skip
    assert "Added" in text(res), text(res)
    return TwoGroups(erin=erin, mine=clinic.bob, other=dev)


def refused(result: object) -> bool:
    return OUTSIDE_REACH in text(result)  # type: ignore[arg-type]


async def test_checkin_history_shows_a_team_member_only_their_cohorts_people(
    emu: Emulator, clinic: Clinic, groups: TwoGroups
) -> None:
    mine = await emu.invoke(groups.erin, clinic.general, "checkin history", member=groups.mine)
    assert mine.ephemeral and not refused(mine) and "Only facilitators" not in text(mine)
    other = await emu.invoke(groups.erin, clinic.general, "checkin history", member=groups.other)
    assert other.ephemeral and refused(other), text(other)
    staff = await emu.invoke(clinic.alice, clinic.general, "checkin history", member=groups.other)
    assert not refused(staff)
    participant = await emu.invoke(
        clinic.bob, clinic.general, "checkin history", member=groups.other
    )
    assert "Only facilitators" in text(participant)


async def test_conversation_log_shows_a_team_member_only_their_cohorts_people(
    emu: Emulator, clinic: Clinic, groups: TwoGroups
) -> None:
    mine = await emu.invoke(groups.erin, clinic.general, "conversation log", member=groups.mine)
    assert "hasn't had a conversation" in text(mine), text(mine)
    other = await emu.invoke(groups.erin, clinic.general, "conversation log", member=groups.other)
    assert other.ephemeral and refused(other), text(other)
    assert "hasn't had" not in text(other)  # nothing said about the other person


async def test_crisis_log_shows_a_team_member_only_their_cohorts_alerts(
    emu: Emulator, clinic: Clinic, configured: LanternBot, groups: TwoGroups
) -> None:
    store = CrisisStore(configured.db, configured.cipher)
    for who in (groups.mine, groups.other):
        await store.create(
            guild_id=clinic.guild.id, user_id=who.user.id, level="crisis", score=0.9,
            source="message", channel_id=None, message_id=None, jump_url=None,
            excerpt="(seeded)", reasons=[], now=configured.clock.now(),
        )  # fmt: skip
    mine, other = f"<@{groups.mine.user.id}>", f"<@{groups.other.user.id}>"
    theirs = await emu.invoke(groups.erin, clinic.general, "crisis log")
    assert mine in text(theirs) and other not in text(theirs), text(theirs)
    one = await emu.invoke(groups.erin, clinic.general, "crisis log", member=groups.other)
    assert refused(one) and other not in text(one).replace(OUTSIDE_REACH, "")
    everyone = await emu.invoke(clinic.alice, clinic.general, "crisis log")
    assert mine in text(everyone) and other in text(everyone)


async def test_cohort_list_info_and_report_show_a_team_member_only_their_cohorts(
    emu: Emulator, clinic: Clinic, groups: TwoGroups
) -> None:
    listed = await emu.invoke(groups.erin, clinic.general, "cohort list")
    assert SPRING in text(listed) and AUTUMN not in text(listed), text(listed)
    info = await emu.invoke(groups.erin, clinic.general, "cohort info", cohort=SPRING)
    assert f"<@{groups.mine.user.id}>" in text(info)
    hidden = await emu.invoke(groups.erin, clinic.general, "cohort info", cohort=AUTUMN)
    assert refused(hidden) and f"<@{groups.other.user.id}>" not in text(hidden)
    report = await emu.invoke(groups.erin, clinic.general, "cohort report", cohort=AUTUMN)
    assert refused(report) and not (report.message and report.message.attachments), text(report)
    staff = await emu.invoke(clinic.alice, clinic.general, "cohort list")
    assert SPRING in text(staff) and AUTUMN in text(staff)
