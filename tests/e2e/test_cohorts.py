"""Cohorts end-to-end: private spaces, the consent gate, enrolment rules, privacy between
cohorts, removal, archive/delete, repair and the editable agreement."""

from __future__ import annotations

import pytest

from bot.client import LanternBot
from emulator import Emulator, NotAllowed, NotVisible, P
from tests.e2e.harness import Clinic
from tests.e2e.steps.cohorts import agree, agreement_message, channel, create, enroll
from tests.e2e.steps.common import button_ids, confirm, logged, text


async def test_create_makes_a_private_verified_space(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    reply = await create(emu, clinic)
    assert "couldn't verify" not in reply
    group = channel(emu, clinic, "group")
    announcements = channel(emu, clinic, "announcements")
    for piece in ("announcements", "group", "check-ins", "spring-evening-voice"):
        assert not emu.can_view(clinic.bob, channel(emu, clinic, piece)), piece
        assert emu.can_view(clinic.alice, channel(emu, clinic, piece)), piece
    assert emu.permissions(clinic.alice, group) & P.MANAGE_MESSAGES
    assert emu.permissions(clinic.alice, announcements) & P.SEND_MESSAGES
    await logged(emu, clinic.mod_log, "created cohort **Spring Evening**")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"start": "March 2"}, "isn't a date I understand"),
        ({"end": "2026-02-01"}, "end date must be after the start"),
        ({"name": "   "}, "Give the cohort a name"),
        ({"capacity": 0}, "capacity"),
    ],
)
async def test_create_refuses_bad_input_and_creates_nothing(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    options: dict[str, object],
    expected: str,
) -> None:
    before = set(emu.world.channels)
    values: dict[str, object] = {"name": "Spring", "start": "2026-03-02", "end": "2026-05-22"}
    values.update(options)
    try:
        res = await emu.invoke(clinic.alice, clinic.general, "cohort create", options=values)
    except Exception as exc:  # Discord itself refuses out-of-range numbers client-side
        assert expected == "capacity", exc
        return
    assert res.ephemeral
    assert expected.lower() in text(res).lower(), text(res)
    assert set(emu.world.channels) == before


async def test_duplicate_name_and_participants_are_refused(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort create",
        name="spring evening",
        start="2026-03-02",
        end="2026-05-22",
    )
    assert "already exists" in text(res)
    refused = await emu.invoke(
        clinic.bob,
        clinic.general,
        "cohort create",
        name="Mine",
        start="2026-03-02",
        end="2026-04-01",
    )
    assert refused.ephemeral and "Only facilitators" in text(refused)


async def test_consent_gate_opens_the_channels_only_after_i_agree(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    reply = await enroll(emu, clinic, clinic.bob, "Spring Evening")
    assert "by DM" in reply
    group = channel(emu, clinic, "group")
    assert not emu.can_view(clinic.bob, group)
    message = agreement_message(emu, clinic.bob)
    body = text(message)
    assert "Confidentiality" in body and "988" in body and "not an emergency service" in body
    assert "version 0" in body
    with pytest.raises(NotVisible):
        emu.visible_messages(clinic.bob, group)

    # Someone else can't press Bob's button.
    done = await agree(emu, clinic.bob, message)
    assert "Welcome to **Spring Evening**" in done
    assert emu.can_view(clinic.bob, group)
    assert emu.permissions(clinic.bob, group) & P.SEND_MESSAGES
    assert not emu.permissions(clinic.bob, channel(emu, clinic, "announcements")) & P.SEND_MESSAGES
    assert button_ids(emu.dms(clinic.bob)[-1]) == []  # the buttons are gone
    row = await configured.db.fetch_one(
        "SELECT status, agreement_version, consented_at FROM enrollments WHERE user_id = ?",
        (clinic.bob.user.id,),
    )
    assert row is not None and row[0] == "active" and row[1] == 0 and row[2]
    await logged(emu, clinic.mod_log, "agreed and joined")


async def test_questions_button_tells_facilitators_and_keeps_access_closed(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    message = agreement_message(emu, clinic.bob)
    questions = next(c for c in button_ids(message) if ":questions:" in c)
    res = await emu.click(clinic.bob, message, questions)
    (reply,) = await res.wait_for_followups(1)
    assert reply.ephemeral and "A facilitator will reach out" in reply.content
    assert not emu.can_view(clinic.bob, channel(emu, clinic, "group"))
    await logged(emu, clinic.mod_log, "has questions")


async def test_closed_dms_get_a_private_thread(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    reply = await enroll(emu, clinic, clinic.carol, "Spring Evening")
    assert "private thread" in reply, reply
    thread = next(c for c in emu.world.channels.values() if c.is_thread)
    assert emu.can_view(clinic.carol, thread)
    assert not emu.can_view(clinic.bob, thread)
    message = next(m for m in emu.messages_in(thread) if button_ids(m))
    await agree(emu, clinic.carol, message)
    assert emu.can_view(clinic.carol, channel(emu, clinic, "group"))


async def test_enrolment_rules(emu: Emulator, clinic: Clinic, configured: LanternBot) -> None:
    await create(emu, clinic, "Alpha", capacity=1)
    await create(emu, clinic, "Beta")
    await enroll(emu, clinic, clinic.bob, "Alpha")
    assert "is full" in await enroll(emu, clinic, clinic.carol, "Alpha")
    assert "already in **Alpha**" in await enroll(emu, clinic, clinic.bob, "Beta")
    assert "Sent the agreement again" in await enroll(emu, clinic, clinic.bob, "Alpha")
    assert "There's no cohort called" in await enroll(emu, clinic, clinic.bob, "Gamma")
    bot_member = emu.member(clinic.guild, emu.bot_user)
    assert "Bots can't be enrolled" in await enroll(emu, clinic, bot_member, "Beta")
    count = await configured.db.fetch_one("SELECT COUNT(*) FROM enrollments")
    assert count is not None and count[0] == 1


async def test_a_member_who_left_is_refused(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    dev = emu.create_member(clinic.guild, "dev")
    emu.remove_member(dev)
    await emu.wait_for(lambda: clinic_guild(configured, clinic).get_member(dev.user.id) is None)
    res = await emu.invoke(
        clinic.alice, clinic.general, "cohort enroll", member=dev.user, cohort="Spring Evening"
    )
    assert res.ephemeral
    assert "left" in text(res) or "couldn't find" in text(res).lower(), text(res)


def clinic_guild(bot: LanternBot, clinic: Clinic):  # type: ignore[no-untyped-def]
    guild = bot.get_guild(clinic.guild.id)
    assert guild is not None
    return guild


async def test_a_participant_never_sees_another_cohort(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic, "Alpha")
    await create(emu, clinic, "Beta")
    dev = emu.create_member(clinic.guild, "dev")
    await enroll(emu, clinic, clinic.bob, "Alpha")
    await enroll(emu, clinic, dev, "Beta")
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    await agree(emu, dev, agreement_message(emu, dev))
    groups = [c for c in emu.world.channels.values() if c.name == "group"]
    alpha_group, beta_group = (
        sorted(groups, key=lambda c: c.id)[0],
        sorted(groups, key=lambda c: c.id)[1],
    )
    await emu.say(dev, beta_group, "only Beta should read this")
    await emu.say(clinic.bob, alpha_group, "hello Alpha")
    seen_by_bob = [e.data.get("content") for e in emu.events_for(clinic.bob, "MESSAGE_CREATE")]
    assert "hello Alpha" in seen_by_bob
    assert "only Beta should read this" not in seen_by_bob
    with pytest.raises(NotVisible):
        emu.visible_messages(clinic.bob, beta_group)
    with pytest.raises(NotVisible):
        await emu.say(clinic.bob, beta_group, "can I get in?")


async def test_remove_takes_access_away(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    res = await emu.invoke(
        clinic.alice,
        clinic.general,
        "cohort remove",
        member=clinic.bob,
        cohort="Spring Evening",
        reason="moved to another program",
    )
    assert "Removed" in text(res)
    assert not emu.can_view(clinic.bob, channel(emu, clinic, "group"))
    await logged(emu, clinic.mod_log, "moved to another program")
    again = await emu.invoke(
        clinic.alice, clinic.general, "cohort remove", member=clinic.bob, cohort="Spring Evening"
    )
    assert "isn't enrolled" in text(again)


async def test_list_and_info_show_consent_state(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    await enroll(emu, clinic, clinic.carol, "Spring Evening")
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    listing = await emu.invoke(clinic.alice, clinic.general, "cohort list")
    assert "1 in · 1 awaiting consent · capacity 15" in text(listing)
    info = await emu.invoke(clinic.alice, clinic.general, "cohort info", cohort="Spring Evening")
    body = text(info)
    assert f"<@{clinic.bob.user.id}>: agreed (v0)" in body
    assert f"<@{clinic.carol.user.id}>: awaiting consent (private thread)" in body
    choices = await emu.autocomplete(clinic.alice, clinic.general, "cohort info", "cohort", "spr")
    assert [c.value for c in choices] == ["Spring Evening"]


async def test_archive_makes_it_read_only_then_delete_after_confirmation(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    group = channel(emu, clinic, "group")
    res = await emu.invoke(clinic.alice, clinic.general, "cohort archive", cohort="Spring Evening")
    assert "1 person(s) still enrolled will be un-enrolled" in text(res)
    assert emu.permissions(clinic.bob, group) & P.SEND_MESSAGES  # nothing changed yet
    assert "read-only" in await confirm(emu, clinic.alice, res)
    assert emu.can_view(clinic.bob, group)
    assert not emu.permissions(clinic.bob, group) & P.SEND_MESSAGES
    assert channel(emu, clinic, "Spring Evening (archived)")
    with pytest.raises(NotAllowed):
        await emu.say(clinic.bob, group, "still here?")
    again = await emu.invoke(
        clinic.alice, clinic.general, "cohort enroll", member=clinic.carol, cohort="Spring Evening"
    )
    assert "archived" in text(again)

    ask = await emu.invoke(clinic.alice, clinic.general, "cohort delete", cohort="Spring Evening")
    assert "Are you sure" in text(ask)
    assert ask.message is not None
    # Only the facilitator who asked can confirm.
    yes = next(c for c in button_ids(ask) if c)
    done = await emu.click(clinic.alice, ask.message, yes)
    await emu.wait_for(lambda: "Deleted" in done.content)
    assert group.id not in {c.id for c in emu.world.channels.values() if c.guild_id} or getattr(
        emu.world.channels.get(group.id), "deleted", True
    )
    listing = await emu.invoke(clinic.alice, clinic.general, "cohort list")
    assert "No cohorts yet" in text(listing)


async def test_hand_deleted_channel_is_noticed_and_repaired(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    emu.delete_channel(channel(emu, clinic, "group"))
    notice = await emu.wait_for_message(
        clinic.mod_log, check=lambda m: "deleted outside Lantern" in m.content
    )
    assert "/cohort repair" in notice.content
    res = await emu.invoke(clinic.alice, clinic.general, "cohort repair", cohort="Spring Evening")
    assert "Recreated: group" in text(res), text(res)
    assert "Permissions verified" in text(res)
    group = channel(emu, clinic, "group")
    assert emu.can_view(clinic.bob, group)
    assert not emu.can_view(clinic.carol, group)


async def test_deleted_role_is_recreated_and_given_back(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    role = next(r for r in clinic.guild.roles.values() if r.name == "Cohort · Spring Evening")
    emu.delete_role(role)
    await emu.wait_for_message(clinic.mod_log, check=lambda m: "deleted outside" in m.content)
    assert not emu.can_view(clinic.bob, channel(emu, clinic, "group"))
    res = await emu.invoke(clinic.alice, clinic.general, "cohort repair", cohort="Spring Evening")
    assert "Gave the new role back to 1" in text(res), text(res)
    assert emu.can_view(clinic.bob, channel(emu, clinic, "group"))


async def test_new_agreement_version_is_used_for_next_enrolment(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    res = await emu.invoke(clinic.alice, clinic.general, "cohort agreement")
    assert res.modal is not None
    assert "Confidentiality" in res.modal.fields["agreement"].get("value", "")
    saved = await emu.submit_modal(
        clinic.alice, res, {"agreement": "Be kind. What is said here stays here."}
    )
    assert "Saved as version 1" in text(saved)
    await enroll(emu, clinic, clinic.bob, "Spring Evening")
    body = text(agreement_message(emu, clinic.bob))
    assert "Be kind." in body and "version 1" in body
    assert "988" in body  # the safety note is always there
    await agree(emu, clinic.bob, agreement_message(emu, clinic.bob))
    row = await configured.db.fetch_one("SELECT agreement_version FROM enrollments")
    assert row is not None and row[0] == 1


async def test_unconfigured_server_is_told_to_run_setup(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    res = await emu.invoke(clinic.dana, clinic.general, "cohort list")
    assert "/setup server" in text(res)


async def test_cohort_report_is_a_private_csv_for_facilitators(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await create(emu, clinic)
    emu.override_command(clinic.guild, "cohort", clinic.guild)
    refused = await emu.invoke(clinic.bob, clinic.general, "cohort report", cohort="Spring Evening")
    assert "Only facilitators" in text(refused)
    res = await emu.invoke(clinic.alice, clinic.general, "cohort report", cohort="Spring Evening")
    assert res.ephemeral and "keep it private" in text(res)
    (attachment,) = res.message.attachments  # type: ignore[union-attr]
    assert attachment.filename == "spring-evening-report.csv"
    header = attachment.data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("kind,user_id,member,date,mood")
