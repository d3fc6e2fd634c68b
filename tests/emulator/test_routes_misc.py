"""The remaining routes discord.py uses, exercised through the real client."""

from __future__ import annotations

import datetime as dt

import discord

from emulator import Emulator
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot, SessionPanel


async def test_channel_and_role_lifecycle(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    guild = bot.guilds[0]
    category = await guild.create_category("Cohort A")
    channel = await guild.create_text_channel("check-ins", category=category, topic="daily")
    assert program.guild.channels[channel.id].parent_id == category.id
    await channel.edit(name="daily-check-ins", topic="every morning")
    assert program.guild.channels[channel.id].name == "daily-check-ins"
    await emu.wait_for(lambda: guild.get_channel(channel.id).name == "daily-check-ins")  # type: ignore[union-attr]
    role = await guild.create_role(name="cohort-a")
    await role.edit(name="cohort-a-members", mentionable=True)
    assert program.guild.roles[role.id].mentionable
    await role.delete()
    await channel.delete()
    assert channel.id not in program.guild.channels
    await emu.wait_for(
        lambda: guild.get_channel(channel.id) is None and guild.get_role(role.id) is None
    )


async def test_threads_join_list_and_remove(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    parent = emu.create_thread(program.general, "peer support", owner=program.bob)
    guild = bot.guilds[0]
    await emu.wait_for(lambda: guild.get_thread(parent.id) is not None)
    thread = guild.get_thread(parent.id)
    assert thread is not None
    await thread.join()
    assert emu.bot_user_id in parent.thread_members
    bob = guild.get_member(program.bob.id)
    assert bob is not None
    await thread.remove_user(bob)
    assert program.bob.id not in parent.thread_members
    active = await guild.active_threads()
    assert [t.id for t in active] == [parent.id]
    members = await thread.fetch_members()
    assert [m.id for m in members] == [emu.bot_user_id]


async def test_scheduled_event_lifecycle(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    start = emu.clock.now() + dt.timedelta(days=2)
    made = emu.create_event(program.guild, "Family night", start=start, creator=program.alice)
    emu.mark_interested(program.bob, made)
    guild = bot.guilds[0]
    [event] = await guild.fetch_scheduled_events()
    assert event.name == "Family night"
    users = [u async for u in event.users()]
    assert [u.id for u in users] == [program.bob.id]
    await event.edit(status=discord.EventStatus.active)
    assert made.status == 2
    await event.delete()
    assert program.guild.scheduled_events == {}


async def test_original_response_and_followup_edits(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.bob, program.general, "report")
    interaction = result.interaction
    webhook = discord.Webhook.partial(emu.application_id, interaction.token, client=bot)
    original = await webhook.fetch_message(result.message.id)  # type: ignore[union-attr]
    assert original.content == "report ready"
    followup = result.followups[0]
    await webhook.edit_message(followup.id, content="edited details")
    assert followup.content == "edited details"
    await webhook.delete_message(result.message.id)  # type: ignore[union-attr]
    assert result.message.deleted  # type: ignore[union-attr]


async def test_a_view_sent_with_channel_send_is_clickable(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    channel = bot.get_channel(program.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("Tonight's session", view=SessionPanel())
    stored = emu.last_message(program.general)
    assert stored is not None and stored.id == sent.id
    clicked = await emu.click(program.alice, stored, "lantern:rsvp:yes")
    assert clicked.content == "RSVP yes: alice"
