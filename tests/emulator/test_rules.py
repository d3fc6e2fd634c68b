"""Discord's rules as the emulator enforces them on the bot and on people."""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from emulator import Emulator, NotAllowed, NotVisible
from emulator.permissions import DEFAULT_BOT, P
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot


async def test_dm_to_someone_with_dms_closed_is_forbidden_50007(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.alice, program.general, "checkin", member=program.carol)
    assert result.content == "could not DM them"
    [error] = bot.cog.errors
    assert isinstance(error, discord.Forbidden) and error.code == 50007
    assert emu.dms(program.carol) == []


async def test_private_room_gets_role_and_overwrites(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(
        program.alice, program.general, "room", name="bobs-room", member=program.bob
    )
    assert result.content.startswith("created <#")
    room = next(c for c in program.guild.channels.values() if c.name == "bobs-room")
    role = next(r for r in program.guild.roles.values() if r.name == "bobs-room-members")
    assert role.id in program.bob.roles
    assert emu.can_view(program.bob, room)
    assert not emu.can_view(program.alice, room)
    assert [m.content for m in emu.visible_messages(program.bob, room)] == [
        f"Welcome <@{program.bob.id}>"
    ]
    with pytest.raises(NotVisible):
        emu.visible_messages(program.alice, room)
    assert emu.count("POST /guilds/{guild_id}/channels") == 1
    assert emu.count("PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}") == 1


async def test_missing_manage_roles_is_403_50013(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    assert program.guild.bot_role is not None
    emu.edit_role(program.guild.bot_role, permissions=DEFAULT_BOT & ~P.MANAGE_ROLES)
    result = await emu.invoke(program.alice, program.general, "room", name="x", member=program.bob)
    assert result.content == "forbidden"
    [error] = bot.cog.errors
    assert isinstance(error, discord.Forbidden) and error.code == 50013
    record = emu.requests[-2]
    assert record.status == 403 and "MANAGE_ROLES" in record.detail


async def test_role_hierarchy_blocks_assigning_a_higher_role(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    assert program.guild.bot_role is not None
    admins = emu.create_role(program.guild, "Admins", position=program.guild.bot_role.position + 1)
    await emu.wait_for(lambda: any(r.name == "Admins" for r in bot.guilds[0].roles))
    result = await emu.invoke(
        program.alice, program.general, "grant", member=program.bob, role=admins
    )
    assert result.content == "forbidden"
    assert bot.cog.errors[0].code == 50013  # type: ignore[attr-defined]
    result = await emu.invoke(
        program.alice, program.general, "grant", member=program.bob, role=program.facilitator
    )
    assert result.content == "granted"
    assert program.facilitator.id in program.bob.roles


async def test_timeouts_silence_members_but_not_admins(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(
        program.alice, program.general, "mute", member=program.bob, minutes=10
    )
    assert result.content == "muted"
    assert program.bob.communication_disabled_until is not None
    with pytest.raises(NotAllowed, match="SEND_MESSAGES"):
        await emu.say(program.bob, program.general, "can I talk?")
    assert emu.visible_messages(program.bob, program.general) is not None
    emu.clock.advance(minutes=11)
    await emu.say(program.bob, program.general, "back")

    owner = program.guild.members[program.guild.owner_id]
    result = await emu.invoke(program.alice, program.general, "mute", member=owner, minutes=10)
    assert result.content == "forbidden"
    assert bot.cog.errors[0].code == 50013  # type: ignore[attr-defined]


async def test_a_member_who_cannot_view_a_channel_gets_nothing_from_it(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    secret = await emu.say(program.alice, program.staff, "case notes")
    public = await emu.say(program.alice, program.general, "hi all")
    bob_saw = [e.data["id"] for e in emu.events_for(program.bob, "MESSAGE_CREATE")]
    alice_saw = [e.data["id"] for e in emu.events_for(program.alice, "MESSAGE_CREATE")]
    assert bob_saw == [str(public.id)]
    assert alice_saw == [str(secret.id), str(public.id)]
    with pytest.raises(NotVisible):
        emu.visible_messages(program.bob, program.staff)
    with pytest.raises(NotVisible):
        await emu.say(program.bob, program.staff, "let me in")


async def test_the_bot_gets_no_events_from_a_channel_it_cannot_see(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    hidden = emu.create_channel(
        program.guild,
        "private-notes",
        overwrites={program.guild.bot_role: discord.PermissionOverwrite(view_channel=False)},
    )
    unseen = await emu.say(program.alice, hidden, "not for bots")
    seen = await emu.say(program.alice, program.general, "for everyone")
    await emu.wait_for(lambda: any(m.id == seen.id for m in bot.cog.seen))
    assert all(m.id != unseen.id for m in bot.cog.seen)
    assert bot.get_channel(hidden.id) is None
    channel = bot.get_channel(program.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden):
        await bot.http.send_message(
            hidden.id, params=discord.http.handle_message_parameters(content="x")
        )


async def test_private_thread_is_visible_to_its_members_only(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.alice, program.general, "huddle", member=program.bob)
    thread = next(c for c in program.guild.channels.values() if c.name == "huddle")
    assert result.content == f"opened <#{thread.id}>"
    assert thread.type == 12 and set(thread.thread_members) == {emu.bot_user_id, program.bob.id}
    assert [m.content for m in emu.visible_messages(program.bob, thread)] == ["Let's talk here."]
    with pytest.raises(NotVisible):
        emu.visible_messages(program.alice, thread)
    events = [e.type for e in emu.events_for(program.bob)]
    assert "THREAD_MEMBERS_UPDATE" in events


async def test_scheduled_event_created_by_the_bot(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.alice, program.general, "session", name="Group session")
    assert result.content == "scheduled Group session"
    [event] = program.guild.scheduled_events.values()
    assert event.entity_metadata == {"location": "Room 4"}
    assert [e.type for e in emu.events_for(program.bob, "GUILD_SCHEDULED_EVENT_CREATE")]
    await emu.wait_for(lambda: bot.guilds[0].scheduled_events)


async def test_scheduled_event_needs_manage_events(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    assert program.guild.bot_role is not None
    emu.edit_role(program.guild.bot_role, permissions=DEFAULT_BOT & ~P.MANAGE_EVENTS)
    guild = bot.guilds[0]
    start = discord.utils.utcnow() + dt.timedelta(days=1)
    with pytest.raises(discord.Forbidden):
        await guild.create_scheduled_event(
            name="x",
            start_time=start,
            end_time=start + dt.timedelta(hours=1),
            entity_type=discord.EntityType.external,
            location="here",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
