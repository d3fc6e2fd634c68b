"""`/talk` goes to the person's care team first, and a team can act on its own people's
conversations and alerts: the notice in the team's channel pinging exactly the team, the team
admitted to the private thread (named people and a role's members), claim / note / close, a
team reply counting as answered, re-announcements reaching program staff too, `/crisis ack`
and the alert's "View safety plan". For each, the team of another cohort is refused and
nothing changes; program staff still can; with no team channel (or it gone) the staff
channel, as before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import discord
import pytest
import time_machine

from bot.client import LanternBot
from cogs.cohorts.api import OUTSIDE_REACH
from emulator import Emulator, NotVisible, P
from emulator.model import Channel, Member, Message, Role
from tests.e2e.harness import Clinic, ExpectingErrorLogWatch
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import button_ids, field, text
from tests.e2e.steps.crisis import CRISIS
from tests.e2e.steps.support import WORDS, notices, staff_click, talk

SPRING, AUTUMN = "Spring Evening", "Autumn Morning"


@dataclass
class Teams:
    """Bob is in Spring Evening, looked after by Erin and the "Evening team" role (Gita);
    Dev is in Autumn Morning, looked after by Frank. Each team has its own channel."""

    erin: Member
    gita: Member
    evening: Role
    frank: Member
    dev: Member
    spring_room: Channel
    autumn_room: Channel


def room(emu: Emulator, clinic: Clinic, name: str, *seats: Member | Role) -> Channel:
    return emu.create_channel(
        clinic.guild,
        name,
        overwrites={
            clinic.guild: discord.PermissionOverwrite(view_channel=False),
            clinic.guild.bot_role: discord.PermissionOverwrite(view_channel=True),
            **{seat: discord.PermissionOverwrite(view_channel=True) for seat in seats},
        },
    )


async def join(emu: Emulator, clinic: Clinic, who: Member, cohort: str) -> None:
    await enroll(emu, clinic, who, cohort)
    await agree(emu, who, agreement_message(emu, who))


async def add_to_team(emu: Emulator, clinic: Clinic, cohort: str, seat: Member | Role) -> None:
    res = await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=cohort,
                           member=seat)  # fmt: skip
    assert "Added" in text(res), text(res)


async def set_room(emu: Emulator, clinic: Clinic, cohort: str, where: Channel) -> None:
    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort team channel",
        options={"cohort": cohort, "channel": where},
    )  # fmt: skip
    assert "now asked in" in text(res), text(res)


async def two_teams(emu: Emulator, clinic: Clinic, *, rooms: bool = True) -> Teams:
    await create(emu, clinic, SPRING)
    await create(emu, clinic, AUTUMN)
    evening = emu.create_role(clinic.guild, "Evening team")
    erin = emu.create_member(clinic.guild, "erin")
    gita = emu.create_member(clinic.guild, "gita", roles=[evening])
    frank = emu.create_member(clinic.guild, "frank")
    dev = emu.create_member(clinic.guild, "dev")
    await join(emu, clinic, clinic.bob, SPRING)
    await join(emu, clinic, dev, AUTUMN)
    await add_to_team(emu, clinic, SPRING, erin)
    await add_to_team(emu, clinic, SPRING, evening)
    await add_to_team(emu, clinic, AUTUMN, frank)
    spring_room = room(emu, clinic, "spring-team", erin, evening)
    autumn_room = room(emu, clinic, "autumn-team", frank)
    if rooms:
        await set_room(emu, clinic, SPRING, spring_room)
        await set_room(emu, clinic, AUTUMN, autumn_room)
    return Teams(erin, gita, evening, frank, dev, spring_room, autumn_room)


def group_of(emu: Emulator, cohort: str) -> Channel:
    """The cohort's #group (each cohort has one, in its own category)."""
    (category,) = [c for c in emu.world.channels.values() if c.name == cohort]
    (group,) = [
        c for c in emu.world.channels.values() if c.name == "group" and c.parent_id == category.id
    ]
    return group


def conversation_notices(emu: Emulator, where: Channel) -> list[Message]:
    return [
        m
        for m in emu.messages_in(where)
        if m.embeds and m.embeds[0].get("title", "").startswith("Conversation #")
    ]


async def team_notice(emu: Emulator, where: Channel) -> Message:
    await emu.wait_for(lambda: conversation_notices(emu, where), what="the notice")
    (notice,) = conversation_notices(emu, where)
    return notice


def the_thread(emu: Emulator) -> Channel:
    (thread,) = [c for c in emu.world.channels.values() if c.is_thread and c.name.startswith("#")]
    return thread


async def admitted(emu: Emulator, thread: Channel, *people: Member) -> None:
    """The team is added last (after the person's answer and the notice)."""
    wanted = {p.user.id for p in people}
    await emu.wait_for(lambda: wanted <= set(thread.thread_members), what="the team admitted")


def reminders(emu: Emulator, where: Channel) -> list[Message]:
    return [m for m in emu.messages_in(where) if "for a reply" in m.content]


def alerts_in(emu: Emulator, where: Channel) -> list[Message]:
    return [m for m in emu.messages_in(where) if m.embeds and "Alert" in str(m.embeds[0])]


async def test_the_notice_goes_to_the_persons_team_pinging_exactly_it(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    await talk(emu, clinic, clinic.bob)
    notice = await team_notice(emu, teams.spring_room)
    assert notice.mentions == [teams.erin.user.id] and notice.mention_roles == [teams.evening.id]
    assert f"<@{teams.erin.user.id}>" in notice.content and WORDS not in text(notice)
    assert notices(emu, clinic) == []  # program staff are not paged for it
    assert conversation_notices(emu, teams.autumn_room) == []
    # Dev's conversation goes to his own team, not Bob's.
    await talk(emu, clinic, teams.dev, "Can I swap to Tuesday?", "program")
    other = await team_notice(emu, teams.autumn_room)
    assert other.mentions == [teams.frank.user.id] and other.mention_roles == []
    assert len(conversation_notices(emu, teams.spring_room)) == 1


async def test_the_team_is_admitted_to_the_thread_another_team_is_not(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    await talk(emu, clinic, clinic.bob)
    thread = the_thread(emu)
    assert thread.type == 12  # still a private thread
    # Erin (named) and Gita (through the team's role) are members; so is Bob.
    await admitted(emu, thread, teams.erin, teams.gita, clinic.bob)
    for member in (teams.erin, teams.gita, clinic.alice):  # program staff still see it
        assert WORDS in text(emu.visible_messages(member, thread)[0])
    for outsider in (teams.frank, teams.dev, clinic.carol):
        with pytest.raises(NotVisible):
            emu.visible_messages(outsider, thread)


async def test_a_team_claims_notes_and_closes_another_team_is_refused(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    await talk(emu, clinic, clinic.bob)
    thread = the_thread(emu)
    notice = await team_notice(emu, teams.spring_room)
    emu.set_overwrite(teams.spring_room, teams.frank, allow=P.VIEW_CHANNEL)  # a stray link
    for action in ("claim", "note", "close"):
        refused = await staff_click(emu, teams.frank, notice, action)
        assert refused.ephemeral and OUTSIDE_REACH in text(refused), (action, text(refused))
        assert refused.kind != "modal"  # no form to fill in either
    talks = configured.get_cog("Talk").store  # type: ignore[union-attr]
    unchanged = await talks.conversation(1)
    assert unchanged.open and unchanged.claimed_by is None
    assert [e.action for e in await talks.events(1)] == ["opened"]
    assert field(notice, "Status") == "Waiting for a facilitator"
    assert all("is with you now" not in m.content for m in emu.messages_in(thread))

    claimed = await staff_click(emu, teams.erin, notice, "claim")
    await claimed.wait_for_edit()
    await emu.wait_for_message(
        thread, check=lambda m: "erin" in m.content and "with you" in m.content
    )
    assert f"With <@{teams.erin.user.id}>" in field(notice, "Status")
    form = await staff_click(emu, teams.gita, notice, "note")  # the role's member
    noted = await emu.submit_modal(teams.gita, form, {"note": "Call his sponsor on Friday"})
    await noted.wait_for_edit()
    assert "sponsor on Friday" in text(notice)
    emu.set_overwrite(teams.spring_room, clinic.alice, allow=P.VIEW_CHANNEL)
    form = await staff_click(emu, clinic.alice, notice, "note")  # program staff still can
    noted = await emu.submit_modal(clinic.alice, form, {"note": "Supervisor aware"})
    await noted.wait_for_edit()
    assert "Supervisor aware" in text(notice)
    form = await staff_click(emu, teams.erin, notice, "close")
    done = await emu.submit_modal(teams.erin, form, {"reason": "Talked it through"})
    await done.wait_for_edit()
    await emu.wait_for_message(thread, check=lambda m: "has closed" in m.content)
    assert "Talked it through" in field(notice, "Status")
    # The team sees its own people's conversation log; the other team does not.
    log = await emu.invoke(teams.erin, clinic.general, "conversation log", member=clinic.bob)
    assert "sponsor on Friday" in text(log)
    other = await emu.invoke(teams.frank, clinic.general, "conversation log", member=clinic.bob)
    assert OUTSIDE_REACH in text(other) and "sponsor" not in text(other)


async def test_a_team_reply_counts_as_answered_another_teams_does_not(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    emu.faults.fail_next("POST /channels/{channel_id}/threads", status=403)  # a channel then
    await talk(emu, clinic, clinic.bob)
    (space,) = [c for c in emu.world.channels.values() if c.name == "talk-1"]
    for member in (teams.erin, teams.gita, clinic.alice):  # the team by overwrites, staff too
        assert WORDS in text(emu.visible_messages(member, space)[0])
    with pytest.raises(NotVisible):
        emu.visible_messages(teams.frank, space)
    # Even let in by hand, another cohort's team's words don't count as an answer.
    emu.set_overwrite(space, teams.frank, allow=P.VIEW_CHANNEL | P.SEND_MESSAGES)
    await emu.say(teams.frank, space, "Hi, I'm from the morning group")
    await emu.wait_for(lambda: configured.idle, what="the message handled")
    assert len(configured.scheduler.jobs("support:talk:")) == 1
    await emu.say(teams.erin, space, "Hi Bob, I'm here.")
    await emu.wait_for(lambda: not configured.scheduler.jobs("support:talk:"), what="answered")
    travel.shift(timedelta(minutes=40))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: configured.idle, what="nothing due")
    assert reminders(emu, teams.spring_room) == reminders(emu, clinic.escalations) == []


async def test_unanswered_team_conversation_reaches_program_staff_too(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    await talk(emu, clinic, clinic.bob)
    thread = the_thread(emu)
    await admitted(emu, thread, teams.erin, teams.gita)
    travel.shift(timedelta(minutes=15, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: reminders(emu, clinic.escalations), what="staff's reminder")
    await emu.wait_for(lambda: reminders(emu, teams.spring_room), what="the team's reminder")
    (to_team,) = reminders(emu, teams.spring_room)
    assert to_team.mentions == [teams.erin.user.id] and to_team.mention_roles == [teams.evening.id]
    (to_staff,) = reminders(emu, clinic.escalations)
    assert to_staff.mention_roles == [clinic.facilitator_role.id] and to_staff.mentions == []
    assert "Spring Evening**'s care team hasn't answered" in to_staff.content
    assert WORDS not in to_staff.content + to_team.content
    await emu.say(teams.gita, thread, "Sorry for the wait, Bob. I'm here now.")
    await emu.wait_for(lambda: not configured.scheduler.jobs("support:talk:"), what="answered")


async def test_without_a_team_channel_the_staff_channel_as_before(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic, rooms=False)
    await talk(emu, clinic, clinic.bob)
    (notice,) = notices(emu, clinic)
    assert notice.mention_roles == [clinic.facilitator_role.id] and notice.mentions == []
    # The team still takes part: it is in the thread and may claim.
    await admitted(emu, the_thread(emu), teams.erin)
    emu.set_overwrite(clinic.escalations, teams.erin, allow=P.VIEW_CHANNEL)
    claimed = await staff_click(emu, teams.erin, notice, "claim")
    await claimed.wait_for_edit()
    assert f"With <@{teams.erin.user.id}>" in field(notice, "Status")
    # Someone in no cohort: the staff channel, nobody else added.
    await talk(emu, clinic, clinic.carol, "Can I miss Thursday?", "program")
    assert len(notices(emu, clinic)) == 2


async def test_a_team_channel_gone_never_loses_the_notice(
    emu: Emulator, clinic: Clinic, configured: LanternBot, error_logs: ExpectingErrorLogWatch
) -> None:
    teams = await two_teams(emu, clinic)
    emu.delete_channel(teams.spring_room)
    await talk(emu, clinic, clinic.bob)
    (notice,) = notices(emu, clinic)
    assert notice.mention_roles == [clinic.facilitator_role.id]
    (logged,) = error_logs.expect("could not notify the care team")
    assert re.search(r"\(incident [A-Z0-9]+\)", logged) and WORDS not in logged, logged


async def test_crisis_ack_by_the_persons_team_not_another(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    await emu.say(clinic.bob, group_of(emu, SPRING), CRISIS)
    await emu.wait_for(lambda: alerts_in(emu, teams.spring_room), what="Bob's alert")
    store = configured.get_cog("Crisis").store  # type: ignore[union-attr]
    [alert] = await store.open_alerts(clinic.guild.id)
    offered = await emu.autocomplete(teams.frank, clinic.general, "crisis ack", "alert")
    assert offered == []  # another team isn't even shown the name
    mine = await emu.autocomplete(teams.erin, clinic.general, "crisis ack", "alert")
    assert [c.value for c in mine] == [str(alert.id)]
    refused = await emu.invoke(teams.frank, clinic.general, "crisis ack", alert=str(alert.id))
    assert refused.ephemeral and OUTSIDE_REACH in text(refused), text(refused)
    # The alert's own button refuses the other team the same way.
    emu.set_overwrite(teams.spring_room, teams.frank, allow=P.VIEW_CHANNEL)
    posted = alerts_in(emu, teams.spring_room)[0]
    ack = next(c for c in button_ids(posted) if ":ack:" in c)
    clicked = await emu.click(teams.frank, posted, ack)
    assert OUTSIDE_REACH in text(clicked)
    assert (await store.get(alert.id)).status == "open"
    done = await emu.invoke(teams.erin, clinic.general, "crisis ack", alert=str(alert.id))
    assert "acknowledged" in text(done), text(done)
    assert (await store.get(alert.id)).status == "acknowledged"
    # Program staff still can, for anyone: Dev's alert, with his own team.
    await emu.say(teams.dev, group_of(emu, AUTUMN), CRISIS)
    await emu.wait_for(lambda: alerts_in(emu, teams.autumn_room), what="Dev's alert")
    [devs] = [a for a in await store.open_alerts(clinic.guild.id) if a.status == "open"]
    staff = await emu.invoke(clinic.alice, clinic.general, "crisis ack", alert=str(devs.id))
    assert "acknowledged" in text(staff), text(staff)


async def test_the_persons_team_sees_the_shared_safety_plan_from_the_alert(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    plans = configured.get_cog("SafetyPlan").store  # type: ignore[union-attr]
    now = configured.clock.now()
    await plans.save_part(clinic.guild.id, clinic.bob.user.id, "warning_signs", "No sleep", now)
    shared = await emu.invoke(clinic.bob, clinic.general, "safetyplan share",
                              with_facilitators=True)  # fmt: skip
    assert "now shared" in text(shared)
    await emu.say(clinic.bob, group_of(emu, SPRING), CRISIS)
    await emu.wait_for(lambda: alerts_in(emu, teams.spring_room), what="Bob's alert")
    alert = alerts_in(emu, teams.spring_room)[0]
    view_id = next(c for c in button_ids(alert) if c.startswith("lantern:plan:view:"))
    seen = await emu.click(teams.gita, alert, view_id)
    assert seen.ephemeral and "No sleep" in text(seen), text(seen)
    emu.set_overwrite(teams.spring_room, teams.frank, allow=P.VIEW_CHANNEL)
    refused = await emu.click(teams.frank, alert, view_id)
    assert OUTSIDE_REACH in text(refused) and "No sleep" not in text(refused)
    emu.set_overwrite(teams.spring_room, clinic.alice, allow=P.VIEW_CHANNEL)
    staff = await emu.click(clinic.alice, alert, view_id)
    assert "No sleep" in text(staff)


async def test_someone_joining_the_team_later_is_let_in_when_they_claim(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    teams = await two_teams(emu, clinic)
    await talk(emu, clinic, clinic.bob)
    thread = the_thread(emu)
    notice = await team_notice(emu, teams.spring_room)
    hana = emu.create_member(clinic.guild, "hana")  # a new clinician of the evening group
    with pytest.raises(NotVisible):
        emu.visible_messages(hana, thread)
    await add_to_team(emu, clinic, SPRING, hana)
    emu.set_overwrite(teams.spring_room, hana, allow=P.VIEW_CHANNEL)
    claimed = await staff_click(emu, hana, notice, "claim")
    await claimed.wait_for_edit()
    assert WORDS in text(emu.visible_messages(hana, thread)[0])
    await emu.say(hana, thread, "Hi Bob, I'm Hana from the evening team.")
    await emu.wait_for(lambda: not configured.scheduler.jobs("support:talk:"), what="answered")
