"""A program that ends well: three days before a cohort's end and on the day, its care team
is asked (pinged, in its channel) to graduate, extend or archive; each ask once; program
staff are asked when there is no team; the buttons do what the commands do, for the same
people."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import time_machine

from bot.client import LanternBot
from cogs.cohorts.cog import Cohorts
from emulator import Emulator
from emulator.model import Channel, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.cohorts import agree, agreement_message, create, enroll
from tests.e2e.steps.common import button_ids, text

SPRING, AUTUMN = "Spring Evening", "Autumn Morning"
THREE_DAYS_BEFORE = datetime(2026, 5, 19, 15, tzinfo=UTC)  # 10:00 in Chicago; ends May 22
ON_THE_DAY = datetime(2026, 5, 22, 15, tzinfo=UTC)


def cog(bot: LanternBot) -> Cohorts:
    found = bot.get_cog("Cohorts")
    assert isinstance(found, Cohorts)
    return found


def asks(emu: Emulator, channel: Channel) -> list[Message]:
    return [m for m in emu.messages_in(channel) if m.embeds and "end" in text(m)]


def button(message: Message, action: str) -> str:
    return next(c for c in button_ids(message) if f":ending:{action}:" in c)


async def test_the_team_is_asked_before_and_on_the_day_once_each(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    travel.move_to(datetime(2026, 5, 1, 15, tzinfo=UTC))
    await create(emu, clinic, SPRING)
    await enroll(emu, clinic, clinic.bob, SPRING)
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    erin = emu.create_member(clinic.guild, "erin")
    frank = emu.create_member(clinic.guild, "frank")  # can read the room, is on no team
    room = emu.create_channel(
        clinic.guild,
        "spring-team",
        overwrites={
            clinic.guild: discord.PermissionOverwrite(view_channel=False),
            erin: discord.PermissionOverwrite(view_channel=True),
            frank: discord.PermissionOverwrite(view_channel=True),
            clinic.guild.bot_role: discord.PermissionOverwrite(view_channel=True),
        },
    )
    await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=SPRING, member=erin)
    public = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort team channel",
        options={"cohort": SPRING, "channel": clinic.general},
    )
    assert "visible to everyone" in text(public), text(public)
    chosen = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort team channel",
        options={"cohort": SPRING, "channel": room},
    )
    assert "now asked in" in text(chosen), text(chosen)

    assert await cog(configured).ending.run() == 0  # three weeks before: nothing yet
    travel.move_to(THREE_DAYS_BEFORE)
    assert await cog(configured).ending.run() == 1
    assert await cog(configured).ending.run() == 0  # the same ask is never queued twice
    before = await emu.wait_for_message(room, check=lambda m: bool(m.embeds))
    assert "ends in 3 days" in text(before), text(before)
    assert before.mentions == [erin.user.id], before.mentions  # pinged: the team only
    assert all(button(before, a) for a in ("graduate", "extend", "archive"))

    travel.move_to(ON_THE_DAY)
    assert await cog(configured).ending.run() == 1
    today = await emu.wait_for_message(room, check=lambda m: "ends today" in text(m))
    # Someone on no team can't use the buttons; the team can.
    refused = await emu.click(frank, today, button(today, "archive"))
    assert "Only facilitators" in text(refused) and refused.ephemeral
    grad = await emu.click(erin, today, button(today, "graduate"))
    assert "Graduate **1** person(s)" in text(grad), text(grad)
    opened = await emu.click(erin, today, button(today, "extend"))
    assert opened.kind == "modal"
    done = await emu.submit_modal(erin, opened, {"end": "2026-06-05"})
    assert "now ends on Jun 05, 2026" in text(done), text(done)
    assert await cog(configured).ending.run() == 0  # the new end is two weeks away
    assert len(asks(emu, room)) == 2


async def test_without_a_team_program_staff_are_asked_in_the_log(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    travel.move_to(datetime(2026, 5, 1, 15, tzinfo=UTC))
    await create(emu, clinic, AUTUMN)
    travel.move_to(ON_THE_DAY)
    assert await cog(configured).ending.run() == 1
    ask = await emu.wait_for_message(clinic.mod_log, check=lambda m: "ends today" in text(m))
    assert f"<@&{clinic.facilitator_role.id}>" in ask.content
    assert ask.mention_roles == [clinic.facilitator_role.id], ask.mention_roles
    archived = await emu.click(clinic.alice, ask, button(ask, "archive"))
    assert "Archive **Autumn Morning**?" in text(archived), text(archived)
