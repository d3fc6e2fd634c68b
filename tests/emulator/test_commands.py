"""Slash commands: sync, groups and typed options, autocomplete, ephemeral, defer."""

from __future__ import annotations

import discord
import pytest

from emulator import DriverError, Emulator, NotVisible
from emulator.permissions import P
from tests.emulator.program import Program
from tests.emulator.testbot import ProbeBot


async def test_sync_records_every_command_and_its_default_permissions(
    emu: Emulator, bot: ProbeBot
) -> None:
    synced = {c.name: c for c in emu.commands()}
    assert {"setup", "report", "panel", "note", "checkin", "room", "staff"} <= set(synced)
    assert synced["setup"].options[0]["name"] == "server"
    assert synced["staff"].default_member_permissions == str(int(P.MANAGE_GUILD))
    assert emu.count("PUT /applications/{application_id}/commands") == 1


async def test_subcommand_with_typed_options_and_resolved_objects(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(
        program.alice,
        program.general,
        "setup server",
        facilitator_role=program.facilitator,
        timezone="America/Chicago",
        cohort_size=12,
        announce_in=program.general,
        helper=program.bob,
    )
    assert result.kind == "message"
    assert result.ephemeral
    assert (
        result.content == "role=Facilitator tz=America/Chicago size=12 channel=general helper=bob"
    )


async def test_defaults_apply_when_optional_options_are_left_out(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(
        program.alice,
        program.general,
        "setup server",
        facilitator_role=program.facilitator,
        timezone="Asia/Tokyo",
    )
    assert "size=8 channel=None helper=None" in result.content


async def test_the_schema_is_enforced_before_anything_reaches_the_bot(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    with pytest.raises(DriverError, match="not synced"):
        await emu.invoke(program.alice, program.general, "nonexistent")
    with pytest.raises(DriverError, match="needs a subcommand"):
        await emu.invoke(program.alice, program.general, "setup")
    with pytest.raises(DriverError, match="needs option 'timezone'"):
        await emu.invoke(
            program.alice, program.general, "setup server", facilitator_role=program.facilitator
        )
    with pytest.raises(DriverError, match="no option 'colour'"):
        await emu.invoke(program.alice, program.general, "whisper", colour="red")
    with pytest.raises(DriverError, match="above max_value"):
        await emu.invoke(
            program.alice,
            program.general,
            "setup server",
            facilitator_role=program.facilitator,
            timezone="x",
            cohort_size=99,
        )


async def test_autocomplete_returns_the_bots_suggestions(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    choices = await emu.autocomplete(
        program.alice, program.general, "setup server", "timezone", "chic"
    )
    assert [c.value for c in choices] == ["America/Chicago"]
    choices = await emu.autocomplete(
        program.alice,
        program.general,
        "setup server",
        "timezone",
        "america",
        facilitator_role=program.facilitator,
    )
    assert len(choices) == 2


async def test_an_ephemeral_answer_is_visible_only_to_its_user(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.bob, program.general, "whisper")
    assert result.ephemeral and result.content == "just for you"
    assert result.message in emu.visible_messages(program.bob, program.general)
    assert result.message not in emu.visible_messages(program.alice, program.general)
    assert emu.ephemerals(program.bob) == [result.message]
    assert emu.ephemerals(program.alice) == []
    assert result.message not in emu.messages_in(program.general)
    assert [e.type for e in emu.events_for(program.alice, "MESSAGE_CREATE")] == []
    assert len(emu.events_for(program.bob, "MESSAGE_CREATE")) == 1


async def test_defer_then_edit_then_followup(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.bob, program.general, "report")
    assert result.kind == "deferred"
    await result.wait_for_followups(1)
    assert result.content == "report ready"
    assert not result.loading
    assert [m.content for m in result.followups] == ["details for you"]
    assert result.followups[0].ephemeral
    assert result.message in emu.messages_in(program.general)


async def test_invoke_without_settling_returns_at_the_deferral(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    result = await emu.invoke(program.bob, program.general, "later", settle=False)
    assert result.kind == "deferred" and result.loading and result.ephemeral
    bot.cog.gate.set()
    await result.wait_for_edit()
    assert result.content == "finally" and not result.loading


async def test_a_member_cannot_use_commands_where_they_cannot_see(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    with pytest.raises(NotVisible, match="bob cannot see #staff"):
        await emu.invoke(program.bob, program.staff, "whisper")
    result = await emu.invoke(program.alice, program.staff, "whisper")
    assert result.content == "just for you"


async def test_commands_in_dms(emu: Emulator, program: Program, bot: ProbeBot) -> None:
    result = await emu.invoke(program.bob, emu.dm_channel(program.bob), "whisper")
    assert result.content == "just for you"


async def test_attachment_option_and_a_file_in_the_response(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    upload = emu.file("plan.txt", b"safety plan")
    result = await emu.invoke(program.bob, program.general, "upload", file=upload)
    assert result.content == "plan.txt: 11 bytes"
    [attachment] = result.message.attachments  # type: ignore[union-attr]
    assert (attachment.filename, attachment.data) == ("copy-plan.txt", b"SAFETY PLAN")


async def test_guild_commands_are_used_in_their_guild(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    guild = discord.Object(program.guild.id)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    assert "whisper" in {c.name for c in emu.commands(program.guild)}
    result = await emu.invoke(program.bob, program.general, "whisper")
    assert result.interaction.data["guild_id"] == str(program.guild.id)
    assert result.content == "just for you"


async def test_user_and_message_context_menus(
    emu: Emulator, program: Program, bot: ProbeBot
) -> None:
    said = await emu.say(program.bob, program.general, "I feel unsafe")
    flagged = await emu.context_menu(program.alice, program.general, "Flag message", said)
    assert flagged.content == "flagged 'I feel unsafe' by bob"
    checked = await emu.context_menu(program.alice, program.general, "Check on", program.bob)
    assert checked.content == "checking on bob"
    with pytest.raises(DriverError, match="not available in DMs"):
        await emu.context_menu(
            program.alice, emu.dm_channel(program.alice), "Check on", program.bob
        )
