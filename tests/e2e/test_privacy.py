"""Privacy end-to-end: /mydata export and delete, encryption at rest, leavers' grace period,
retention, /setup privacy, and no health text in logs above DEBUG."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from bot.client import LanternBot
from bot.crypto import generate_key
from emulator import Emulator
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.common import button_ids, logged, text
from tests.e2e.steps.crisis import CRISIS, cohort_with, support_dm, wait_alert


async def bob_with_history(emu: Emulator, clinic: Clinic) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    await support_dm(emu, clinic.bob)
    res = await emu.invoke(clinic.bob, clinic.general, "milestone set", start="2026-01-01")
    assert "Saved" in text(res)


async def test_export_sends_everything_by_dm(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await bob_with_history(emu, clinic)
    res = await emu.invoke(clinic.bob, clinic.general, "mydata export")
    assert "sent you your data by DM" in text(res)
    dm = emu.dms(clinic.bob)[-1]
    assert "your cohort enrolments and consents: 1" in dm.content
    (attachment,) = dm.attachments
    document = json.loads(attachment.data)
    assert document["user_id"] == clinic.bob.user.id
    alerts = document["data"]["crisis_alerts.user_id"]
    assert alerts[0]["excerpt"].startswith("i can't do this anymore")
    assert document["data"]["milestones.user_id"][0]["recovery_start"] == "2026-01-01"
    # Nobody else got anything.
    assert emu.visible_messages(clinic.carol, clinic.general) == []


async def test_export_with_closed_dms_is_private_in_channel(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    res = await emu.invoke(clinic.carol, clinic.general, "mydata export")
    assert res.ephemeral and "DMs are closed" in text(res)
    assert res.message is not None and res.message.attachments


async def test_delete_removes_or_anonymizes_everything_in_one_go(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await bob_with_history(emu, clinic)
    ask = await emu.invoke(clinic.bob, clinic.general, "mydata delete")
    assert ask.ephemeral and "This deletes, for good" in text(ask)
    assert "crisis alerts about you" in text(ask)
    assert ask.message is not None
    confirm = next(c for c in button_ids(ask))
    done = await emu.click(clinic.bob, ask.message, confirm)
    await emu.wait_for(lambda: "record(s) were deleted or anonymized" in text(done))

    db = configured.db
    for table in ("enrollments", "milestones", "crisis_outreach"):
        row = await db.fetch_one(
            f"SELECT COUNT(*) FROM {table} WHERE user_id = ?",  # noqa: S608 (fixed names)
            (clinic.bob.user.id,),
        )
        assert row is not None and row[0] == 0, table
    alert = await db.fetch_one(
        "SELECT user_id, excerpt, anonymous_id, status, created_at FROM crisis_alerts"
    )
    assert alert is not None
    assert alert[0] is None and alert[1] is None and alert[2].startswith("anon-")
    assert alert[3] == "open" and alert[4]  # outcome and time kept
    # Bob left his cohort's channels; facilitators learn that, not what.
    group = next(c for c in clinic.guild.channels.values() if c.name == "group")
    assert not emu.can_view(clinic.bob, group)
    notice = await logged(emu, clinic.mod_log, "deleted their personal data")
    assert "crisis" not in notice.content.lower()
    again = await emu.invoke(clinic.bob, clinic.general, "mydata delete")
    assert "stores nothing about you" in text(again)


async def test_someone_else_cannot_confirm_a_deletion(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await emu.invoke(clinic.bob, clinic.general, "milestone set", start="2026-01-01")
    ask = await emu.invoke(clinic.bob, clinic.general, "mydata delete")
    assert ask.message is not None and ask.message.ephemeral_for == clinic.bob.user.id


async def test_health_text_is_encrypted_at_rest(
    emu: Emulator, clinic: Clinic, harness: Harness, travel: time_machine.Coordinates
) -> None:
    bot = await harness.start(data_key=generate_key())
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    assert "kill myself" in text(alert)  # facilitators read it
    row = await bot.db.fetch_one("SELECT excerpt FROM crisis_alerts")
    assert row is not None and row[0].startswith("enc1:") and "kill" not in row[0]
    await harness.stop()
    if not isinstance(harness.database, Path):
        return  # PostgreSQL: no file to read; the column check above holds
    raw = harness.database.read_bytes() + (
        harness.database.with_name(harness.database.name + "-wal").read_bytes()
        if harness.database.with_name(harness.database.name + "-wal").exists()
        else b""
    )
    assert b"kill myself" not in raw


async def test_leavers_are_deleted_after_the_grace_period_unless_they_return(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    await emu.invoke(clinic.bob, clinic.general, "milestone set", start="2026-01-01")
    await emu.invoke(clinic.carol, clinic.general, "milestone set", start="2026-01-01")
    res = await emu.invoke(clinic.dana, clinic.general, "setup privacy", grace_days=7)
    assert "after **7** day(s)" in text(res)
    emu.remove_member(clinic.bob)
    emu.remove_member(clinic.carol)
    await emu.wait_for(
        lambda: configured.get_guild(clinic.guild.id).get_member(clinic.carol.user.id) is None
    )  # type: ignore[union-attr]
    cog = configured.get_cog("Privacy")
    await emu.wait_for(lambda: True)
    rows = await configured.db.fetch_all("SELECT user_id FROM departures")
    assert {r[0] for r in rows} == {clinic.bob.user.id, clinic.carol.user.id}
    emu.create_member(clinic.guild, clinic.carol.user)  # Carol comes back
    await emu.wait_for(
        lambda: configured.get_guild(clinic.guild.id).get_member(clinic.carol.user.id) is not None
    )  # type: ignore[union-attr]
    travel.shift(timedelta(days=8))
    totals = await cog.sweep()  # type: ignore[union-attr]
    assert totals["people"] == 1
    left = await configured.db.fetch_all("SELECT user_id FROM milestones")
    assert [r[0] for r in left] == [clinic.carol.user.id]


async def test_retention_purges_old_excerpts_but_keeps_outcomes(
    emu: Emulator, clinic: Clinic, configured: LanternBot, travel: time_machine.Coordinates
) -> None:
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    cog = configured.get_cog("Privacy")
    travel.shift(timedelta(days=30))
    assert (await cog.sweep())["purged"] == 0  # type: ignore[union-attr]
    travel.shift(timedelta(days=61))
    assert (await cog.sweep())["purged"] == 1  # type: ignore[union-attr]
    row = await configured.db.fetch_one("SELECT excerpt, level, user_id FROM crisis_alerts")
    assert (
        row is not None and row[0] is None and row[1] == "crisis" and row[2] == clinic.bob.user.id
    )


async def test_setup_privacy_needs_manage_server(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    emu.override_command(clinic.guild, "setup", clinic.guild)
    res = await emu.invoke(clinic.alice, clinic.general, "setup privacy", grace_days=1)
    assert "Manage Server" in text(res)
    row = await configured.db.fetch_one("SELECT COUNT(*) FROM privacy_settings")
    assert row is not None and row[0] == 0


async def test_no_message_text_in_logs_above_debug(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "i have the pills lined up, nobody would even notice zebra-7"
    with caplog.at_level(logging.DEBUG):
        group = await cohort_with(emu, clinic, clinic.bob)
        await emu.say(clinic.bob, group, secret)
        alert = await wait_alert(emu, clinic)
        await support_dm(emu, clinic.bob)
        await emu.context_menu(
            clinic.carol,
            clinic.general,
            "Report to facilitators",
            await emu.say(clinic.bob, clinic.general, "zebra-7 private words"),
        )
        ack = next(c for c in button_ids(alert) if ":ack:" in c)
        await emu.click(clinic.alice, alert, ack)
        # The check-in path: answers and a risky note, which goes through the crisis pipeline.
        now = await emu.invoke(clinic.bob, clinic.general, "checkin now")
        assert now.message is not None
        prompt = now.message
        mood = next(c for c in button_ids(prompt) if ":mood:" in c and c.endswith(":1"))
        await emu.click(clinic.bob, prompt, mood)
        opened = await emu.click(
            clinic.bob, prompt, next(c for c in button_ids(prompt) if ":note:" in c)
        )
        await emu.submit_modal(clinic.bob, opened, {"note": "zebra-7 i want to end it all"})
        done = await emu.click(
            clinic.bob, prompt, next(c for c in button_ids(prompt) if ":submit:" in c)
        )
        if done.kind == "deferred_update":
            await done.wait_for_edit()
        # Within 15 minutes of the first, it joins the same alert's thread.
        thread = next(c for c in emu.world.channels.values() if c.name == "Alert #1")
        await emu.wait_for_message(thread, check=lambda m: "end it all" in m.content)
    loud = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert loud, "expected some INFO logs to check"
    for record in loud:
        rendered = (
            record.getMessage()
            + " "
            + " ".join(
                str(v) for k, v in record.__dict__.items() if k not in ("msg", "args", "message")
            )
        )
        assert "zebra-7" not in rendered, (record.name, record.getMessage())
    assert any("zebra-7" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("checkin history", {"member": "bob"}),
        ("conversation log", {"member": "bob"}),
        ("crisis log", {"member": "bob"}),
        ("crisis export", {}),
        ("mod history", {"member": "bob"}),
        ("cohort info", {"cohort": "Spring Evening"}),
        ("cohort report", {"cohort": "Spring Evening"}),
        ("session list", {"cohort": "Spring Evening"}),
    ],
)
async def test_a_participant_cannot_see_someone_elses_health_data(
    emu: Emulator,
    clinic: Clinic,
    configured: LanternBot,
    command: str,
    options: dict[str, str],
) -> None:
    """Even when a server admin opens every command to everyone, a participant asking about
    someone else is refused privately and sees nothing of theirs."""
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    await wait_alert(emu, clinic)
    for name in ("checkin", "conversation", "crisis", "mod", "cohort", "session"):
        emu.override_command(clinic.guild, name, clinic.guild)
    dev = emu.create_member(clinic.guild, "dev")
    values = {k: (clinic.bob if v == "bob" else v) for k, v in options.items()}
    res = await emu.invoke(dev, clinic.general, command, options=values)
    assert res.ephemeral
    body = text(res)
    assert "Only facilitators" in body, body
    assert "kill myself" not in body and not (res.message and res.message.attachments)


async def test_delete_works_for_someone_whose_message_was_reported(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    said = await emu.say(clinic.bob, clinic.general, "you're all idiots")
    await emu.context_menu(clinic.carol, clinic.general, "Report to facilitators", said)
    notice = await logged(emu, clinic.mod_log, "Message reported")
    ask = await emu.invoke(clinic.bob, clinic.general, "mydata delete")
    assert ask.message is not None
    done = await emu.click(clinic.bob, ask.message, next(c for c in button_ids(ask)))
    await emu.wait_for(lambda: "record(s) were deleted or anonymized" in text(done))
    row = await configured.db.fetch_one("SELECT author_id, excerpt, reporter_id FROM reports")
    assert row is not None and tuple(row) == (None, None, clinic.carol.user.id)
    # Facilitators can still dismiss the report; timing out a deleted author is refused.
    timeout = next(c for c in button_ids(notice) if ":timeout:" in c)
    res = await emu.click(clinic.alice, notice, timeout)
    assert "deleted at their request" in text(res)
