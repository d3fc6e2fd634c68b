"""`/setup server|show|check` end-to-end: real bot, emulated Discord, real database."""

from __future__ import annotations

import discord
import pytest

from bot.client import LanternBot
from emulator import Emulator, NotAllowed, P
from tests.e2e.harness import Clinic, ExpectingErrorLogWatch
from tests.e2e.steps.common import field, text


async def test_setup_server_saves_existing_roles_and_channels(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    res = await emu.invoke(
        clinic.dana,
        clinic.general,
        "setup server",
        facilitator_role=clinic.facilitator_role,
        alumni_role=clinic.alumni_role,
        escalation_channel=clinic.escalations,
        log_channel=clinic.mod_log,
        timezone="america/chicago",
        region="us",
    )
    assert res.ephemeral
    assert "Lantern is set up" in text(res)
    assert field(res, "Timezone") == "America/Chicago"
    assert "(US)" in field(res, "Crisis resources")
    saved = await lantern.guild_configs.get(clinic.guild.id)
    assert saved == clinic.config()
    assert emu.visible_messages(clinic.bob, clinic.general) == []  # private to Dana


async def test_partial_setup_says_what_is_still_needed(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    res = await emu.invoke(clinic.dana, clinic.general, "setup server", timezone="Europe/London")
    assert "not finished" in text(res)
    assert "Still needed" in text(res)
    saved = await lantern.guild_configs.get(clinic.guild.id)
    assert saved is not None and saved.timezone == "Europe/London"
    assert not saved.is_complete


async def test_create_missing_builds_private_staff_area(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    res = await emu.invoke(
        clinic.dana,
        clinic.general,
        "setup server",
        timezone="America/Chicago",
        region="US",
        create_missing=True,
    )
    assert "Lantern is set up" in text(res), text(res)
    saved = await lantern.guild_configs.get(clinic.guild.id)
    assert saved is not None and saved.is_complete
    guild = clinic.guild
    staff_role = guild.roles[saved.facilitator_role_id]
    assert staff_role.name == "Facilitator" and staff_role.id != clinic.facilitator_role.id
    escalations = emu.world.channels[saved.escalation_channel_id]
    assert escalations.name == "escalations"
    # Private: a participant can't see it; someone given the new role can.
    assert not emu.can_view(clinic.bob, escalations)
    emu.add_role(clinic.alice, staff_role)
    assert emu.can_view(clinic.alice, escalations)
    assert emu.can_view(emu.bot_user, escalations)


async def test_create_missing_without_manage_roles_changes_nothing(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    emu.edit_role(
        clinic.guild.roles[clinic.guild.bot_role_id], permissions=P.VIEW_CHANNEL | P.SEND_MESSAGES
    )
    channels_before = set(emu.world.channels)
    res = await emu.invoke(clinic.dana, clinic.general, "setup server", create_missing=True)
    assert res.ephemeral
    assert "Manage Roles" in text(res)
    assert await lantern.guild_configs.get(clinic.guild.id) is None
    assert set(emu.world.channels) == channels_before


async def test_failed_creation_is_undone(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    # Discord fails creating the staff category after both roles were made: they are removed.
    roles_before = set(clinic.guild.roles)
    emu.faults.fail_next("POST /guilds/{guild_id}/channels", status=503)
    res = await emu.invoke(clinic.dana, clinic.general, "setup server", create_missing=True)
    assert "Nothing was changed" in text(res), text(res)
    assert set(clinic.guild.roles) == roles_before
    assert emu.count("DELETE /guilds/{guild_id}/roles/{role_id}") == 2
    names = {c.name for c in emu.world.channels.values() if c.guild_id == clinic.guild.id}
    assert "Lantern staff" not in names
    assert await lantern.guild_configs.get(clinic.guild.id) is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"timezone": "Mars/Olympus"}, "I don't know the timezone `Mars/Olympus`"),
        ({"region": "ZZ"}, "Unknown crisis-resource region"),
        ({"escalation_channel": "general"}, "visible to everyone"),
        ({"facilitator_role": "everyone"}, "@everyone can't be used here"),
        ({"facilitator_role": "above-bot"}, "drag my role above it"),
        ({"facilitator_role": "Facilitator", "alumni_role": "Facilitator"}, "must be different"),
    ],
)
async def test_bad_setup_input_is_refused_privately_and_changes_nothing(
    emu: Emulator, clinic: Clinic, lantern: LanternBot, options: dict[str, str], expected: str
) -> None:
    high = emu.create_role(clinic.guild, "Owner team")
    emu.edit_role(high, position=len(clinic.guild.roles))
    named = {
        "general": clinic.general,
        "everyone": clinic.guild.roles[clinic.guild.id],
        "above-bot": high,
        "Facilitator": clinic.facilitator_role,
    }
    values = {k: named.get(v, v) for k, v in options.items()}
    res = await emu.invoke(clinic.dana, clinic.general, "setup server", options=values)
    assert res.ephemeral
    assert expected in text(res), text(res)
    assert await lantern.guild_configs.get(clinic.guild.id) is None


async def test_setup_server_needs_manage_server_even_if_admins_open_it(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    # Discord hides /setup from people without Manage Server...
    with pytest.raises(NotAllowed):
        await emu.invoke(clinic.bob, clinic.general, "setup server", timezone="UTC")
    # ...but a server admin can override that; the command still checks for itself.
    emu.override_command(clinic.guild, "setup", clinic.guild)
    res = await emu.invoke(clinic.bob, clinic.general, "setup server", timezone="UTC")
    assert res.ephemeral
    assert "Manage Server" in text(res)
    assert await lantern.guild_configs.get(clinic.guild.id) is None


async def test_timezone_and_region_autocomplete(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    zones = await emu.autocomplete(clinic.dana, clinic.general, "setup server", "timezone", "chic")
    assert "America/Chicago" in [c.value for c in zones]
    regions = await emu.autocomplete(clinic.dana, clinic.general, "setup server", "region", "can")
    assert ("Canada (CA)", "CA") in [(c.name, c.value) for c in regions]
    everything = await emu.autocomplete(clinic.dana, clinic.general, "setup server", "timezone", "")
    assert 0 < len(everything) <= 25


async def test_setup_show_for_facilitators_only(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    emu.override_command(clinic.guild, "setup", clinic.guild)
    res = await emu.invoke(clinic.alice, clinic.general, "setup show")
    assert res.ephemeral
    assert field(res, "Timezone") == "America/Chicago"
    assert f"<#{clinic.escalations.id}>" in field(res, "Escalation channel")
    refused = await emu.invoke(clinic.bob, clinic.general, "setup show")
    assert refused.ephemeral and "Only facilitators" in text(refused)
    assert "America/Chicago" not in text(refused)


async def test_setup_show_reports_deleted_channel(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    emu.delete_channel(clinic.mod_log)
    await emu.wait_for(lambda: configured.get_channel(clinic.mod_log.id) is None, timeout=2)
    res = await emu.invoke(clinic.dana, clinic.general, "setup show")
    assert "deleted channel" in field(res, "Moderation log")
    check = await emu.invoke(clinic.dana, clinic.general, "setup check")
    assert "moderation-log channel was deleted" in text(check)


async def test_setup_check_all_good_then_lists_fixes(
    emu: Emulator, clinic: Clinic, configured: LanternBot, error_logs: ExpectingErrorLogWatch
) -> None:
    res = await emu.invoke(clinic.dana, clinic.general, "setup check")
    assert "All good" in text(res), text(res)
    assert "0 waiting, 0 failed" in text(res)
    # Someone removes Lantern's access to #escalations and opens #mod-log to everyone.
    emu.set_overwrite(
        clinic.escalations, clinic.guild.bot_role, allow=P.VIEW_CHANNEL, deny=P.SEND_MESSAGES
    )
    emu.set_overwrite(clinic.mod_log, clinic.guild, allow=P.VIEW_CHANNEL)
    channel = clinic_channel(configured, clinic.escalations.id)
    await emu.wait_for(lambda: not channel.permissions_for(channel.guild.me).send_messages)
    res = await emu.invoke(clinic.dana, clinic.general, "setup check")
    body = text(res)
    assert "thing(s) to fix" in body
    assert "Send Messages" in body and f"<#{clinic.escalations.id}>" in body
    assert "visible to everyone" in body
    # The owner heard about it at once, not at the next alert.
    await emu.wait_for(
        lambda: any("can no longer post crisis alerts" in m.content for m in emu.dms(clinic.dana)),
        what="the owner's notice",
    )
    assert error_logs.expect("escalation channel is unusable")


def clinic_channel(bot: LanternBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_unconfigured_server_is_told_to_run_setup(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    res = await emu.invoke(clinic.dana, clinic.general, "setup check")
    assert "Not configured yet" in text(res)
