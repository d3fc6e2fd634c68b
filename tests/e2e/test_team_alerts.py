"""Crisis alerts go to the person's care team first: its private channel, pinging the team
(not all staff); a team member can act on it; left unacknowledged for `escalate_after`
minutes, program staff get it in the escalation channel, pinged. Without a team channel
nothing changes: the escalation channel, as before."""

from __future__ import annotations

from datetime import timedelta

import discord
import time_machine

from bot.client import LanternBot
from emulator import Emulator, P
from emulator.model import Channel, Member, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.common import button_ids, text
from tests.e2e.steps.crisis import CRISIS, alerts, cohort_with, wait_alert


async def team_room(emu: Emulator, clinic: Clinic, erin: Member) -> Channel:
    room = emu.create_channel(
        clinic.guild,
        "spring-team",
        overwrites={
            clinic.guild: discord.PermissionOverwrite(view_channel=False),
            erin: discord.PermissionOverwrite(view_channel=True),
            clinic.guild.bot_role: discord.PermissionOverwrite(view_channel=True),
        },
    )
    await emu.invoke(
        clinic.alice, clinic.general, "cohort team add", cohort="Spring Evening", member=erin
    )
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort team channel",
        options={"cohort": "Spring Evening", "channel": room},
    )
    assert "now asked in" in text(res), text(res)
    return room


def posted(emu: Emulator, channel: Channel) -> list[Message]:
    return [m for m in emu.messages_in(channel) if m.embeds]


async def test_an_alert_pages_the_team_then_program_staff_if_nobody_answers(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    res = await emu.invoke(
        clinic.alice, clinic.general, "crisis settings", realert_minutes=5, escalate_after=10
    )
    assert "every 5 minute" in text(res) and "after 10 minute" in text(res), text(res)
    group = await cohort_with(emu, clinic, clinic.bob)
    erin = emu.create_member(clinic.guild, "erin")
    room = await team_room(emu, clinic, erin)

    said = await emu.say(clinic.bob, group, CRISIS)
    await emu.wait_for(lambda: posted(emu, room), what="the alert in the team's channel")
    [alert] = posted(emu, room)
    assert alert.mentions == [erin.user.id] and alert.mention_roles == []  # the team only
    assert alerts(emu, clinic) == []  # program staff are not paged yet
    paged_after = (alert.timestamp - said.timestamp).total_seconds()  # type: ignore[operator]
    assert paged_after < 5, paged_after

    # Five minutes: a reminder, still to the team.
    travel.shift(timedelta(minutes=5, seconds=1))
    configured.scheduler.wakeup()
    await emu.wait_for(
        lambda: any("still waiting" in m.content for m in emu.messages_in(room)),
        what="the team's reminder",
    )
    assert alerts(emu, clinic) == []
    # Ten minutes: program staff get the alert itself, pinged, with its buttons.
    travel.shift(timedelta(minutes=5))
    configured.scheduler.wakeup()
    escalated = await wait_alert(emu, clinic)
    assert "⏫" in escalated.content and "care team" in escalated.content
    assert escalated.mention_roles == [clinic.facilitator_role.id]
    assert any(":ack:" in c for c in button_ids(escalated)), button_ids(escalated)

    # A team member can acknowledge it; then nothing more is sent.
    ack = next(c for c in button_ids(alert) if ":ack:" in c)
    done = await emu.click(erin, alert, ack)
    assert "Only facilitators" not in text(done), text(done)
    before = len(emu.messages_in(clinic.escalations))
    travel.shift(timedelta(minutes=30))
    configured.scheduler.wakeup()
    await emu.wait_for(lambda: configured.idle, what="nothing more to do")
    assert len(emu.messages_in(clinic.escalations)) == before
    history = await emu.invoke(erin, clinic.general, "crisis log")
    assert "(sent to the cohort's care team)" in text(history), text(history)


async def test_someone_on_no_team_cannot_act_on_a_team_alert(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    erin = emu.create_member(clinic.guild, "erin")
    room = await team_room(emu, clinic, erin)
    frank = emu.create_member(clinic.guild, "frank")  # can read the room, is on no team
    emu.set_overwrite(room, frank, allow=P.VIEW_CHANNEL)
    await emu.say(clinic.bob, group, CRISIS)
    await emu.wait_for(lambda: posted(emu, room), what="the alert")
    [alert] = posted(emu, room)
    refused = await emu.click(frank, alert, next(c for c in button_ids(alert) if ":ack:" in c))
    assert "Only facilitators can act on alerts." in text(refused) and refused.ephemeral
