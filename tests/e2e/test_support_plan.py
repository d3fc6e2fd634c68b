"""Safety plans and coping tools end-to-end: part-by-part editing that survives a restart,
private showing, sharing with facilitators (and the alert's button), the crisis message
leading with the plan, /ground's exercises, and /setup hours."""

from __future__ import annotations

import pytest
import time_machine

from bot.client import LanternBot
from cogs.support.plan import shared_plan_embed
from emulator import Emulator, NotVisible
from emulator.model import Member, Message
from emulator.results import InteractionResult
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.common import button_ids, text
from tests.e2e.steps.crisis import CRISIS, cohort_with, support_dm, wait_alert


async def edit_part(
    emu: Emulator, who: Member, checklist: Message, part: str, values: dict[str, str]
) -> InteractionResult:
    form = await emu.click(who, checklist, f"lantern:plan:edit:{part}")
    assert form.kind == "modal", form
    return await emu.submit_modal(who, form, values)


async def start_editing(emu: Emulator, clinic: Clinic, who: Member) -> Message:
    res = await emu.invoke(who, clinic.general, "safetyplan edit")
    assert res.ephemeral and res.message is not None
    assert "Every part is optional" in text(res)
    return res.message


async def write_plan(emu: Emulator, clinic: Clinic, who: Member) -> None:
    checklist = await start_editing(emu, clinic, who)
    await edit_part(emu, who, checklist, "warning_signs", {"text": "Skipping meals, no sleep"})
    await edit_part(emu, who, checklist, "coping_alone", {"text": "Cold shower, walk the dog"})
    await edit_part(
        emu, who, checklist, "people", {"person1": "Mom - 555 0101", "person2": "Sponsor Jim"}
    )


async def test_each_part_saves_alone_and_the_plan_shows_privately(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    empty = await emu.invoke(clinic.bob, clinic.general, "safetyplan show")
    assert "haven't written a safety plan" in text(empty)
    await write_plan(emu, clinic, clinic.bob)
    shown = await emu.invoke(clinic.bob, clinic.general, "safetyplan show")
    assert shown.ephemeral
    body = text(shown)
    assert "Skipping meals" in body and "Cold shower" in body
    assert "**Mom**: 555 0101" in body and "Sponsor Jim" in body
    assert "private to you" in body
    assert emu.visible_messages(clinic.carol, clinic.general) == []
    # Clearing one part keeps the others.
    checklist = await start_editing(emu, clinic, clinic.bob)
    await edit_part(emu, clinic.bob, checklist, "coping_alone", {"text": ""})
    body = text(await emu.invoke(clinic.bob, clinic.general, "safetyplan show"))
    assert "Cold shower" not in body and "Skipping meals" in body and "Sponsor Jim" in body


async def test_the_checklist_guides_to_the_next_part(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    checklist = await start_editing(emu, clinic, clinic.bob)
    saved = await edit_part(emu, clinic.bob, checklist, "warning_signs", {"text": "Isolating"})
    assert saved.kind == "update" and "Saved **Warning signs**" in text(saved)
    row = [c for r in checklist.components for c in r.get("components", [])]
    suggested = next(c for c in row if c.get("style") == 1)
    assert suggested["custom_id"] == "lantern:plan:edit:coping_alone"


async def test_the_plan_survives_a_restart_half_way_through_editing(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    checklist = await start_editing(emu, clinic, clinic.bob)
    await edit_part(emu, clinic.bob, checklist, "warning_signs", {"text": "Racing thoughts"})
    await harness.restart()
    # The same checklist message keeps working after the restart.
    await edit_part(emu, clinic.bob, checklist, "reasons", {"text": "My daughter, my garden"})
    body = text(await emu.invoke(clinic.bob, clinic.general, "safetyplan show"))
    assert "Racing thoughts" in body and "My daughter" in body


async def test_professionals_start_from_the_servers_crisis_lines(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    checklist = await start_editing(emu, clinic, clinic.bob)
    form = await emu.click(clinic.bob, checklist, "lantern:plan:edit:professionals")
    assert form.modal is not None
    assert "988" in form.modal.fields["text"]["value"]
    await emu.submit_modal(clinic.bob, form, {"text": "Dr Ruiz 555 0199\n988"})
    assert "Dr Ruiz" in text(await emu.invoke(clinic.bob, clinic.general, "safetyplan show"))


async def test_sharing_shows_the_plan_to_facilitators_from_the_alert(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    nothing = await emu.invoke(
        clinic.bob, clinic.general, "safetyplan share", with_facilitators=True
    )
    assert "don't have a safety plan yet" in text(nothing)
    await write_plan(emu, clinic, clinic.bob)
    assert await shared_plan_embed(configured, clinic.guild.id, clinic.bob.user.id) is None
    shared = await emu.invoke(
        clinic.bob, clinic.general, "safetyplan share", with_facilitators=True
    )
    assert "now shared" in text(shared)
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    view_id = next(c for c in button_ids(alert) if c.startswith("lantern:plan:view:"))
    seen = await emu.click(clinic.alice, alert, view_id)
    assert (
        seen.ephemeral and "Skipping meals" in text(seen) and "Safety plan shared by" in text(seen)
    )
    with pytest.raises(NotVisible):
        await emu.click(clinic.carol, alert, view_id)
    await emu.invoke(clinic.bob, clinic.general, "safetyplan share", with_facilitators=False)
    refused = await emu.click(clinic.alice, alert, view_id)
    assert "isn't sharing" in text(refused) and "Skipping meals" not in text(refused)


async def test_the_crisis_message_leads_with_the_persons_own_plan(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    await write_plan(emu, clinic, clinic.bob)  # private: facilitators see no plan button
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    alert = await wait_alert(emu, clinic)
    assert not any(c.startswith("lantern:plan:") for c in button_ids(alert))
    support = await support_dm(emu, clinic.bob)
    first, second = support.embeds
    assert first["title"] == "Your safety plan"
    plan_text = text(support)
    assert plan_text.index("Skipping meals") < plan_text.index("988")
    assert "Cold shower" in plan_text and "Mom" in plan_text
    assert "carry this alone" in second["title"]


async def test_ground_walks_through_the_senses_step_by_step(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    menu = await emu.invoke(clinic.bob, clinic.general, "ground")
    assert menu.ephemeral and menu.message is not None
    assert len(button_ids(menu)) == 4
    res = await emu.click(clinic.bob, menu.message, "lantern:ground:senses:0")
    assert res.kind == "update" and "come back to right here" in text(res)
    for step in range(1, 7):
        res = await emu.click(clinic.bob, menu.message, f"lantern:ground:senses:{step}")
    assert "Well done" in text(res)
    card = await emu.click(clinic.bob, menu.message, "lantern:ground:menu:0")
    card = await emu.click(clinic.bob, menu.message, "lantern:ground:tipp:0")
    assert "Temperature" in text(card) and "Paced breathing" in text(card)


async def test_box_breathing_is_a_paced_sequence_of_edits(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    cog = configured.get_cog("Grounding")
    cog.pace = 0  # type: ignore[union-attr]
    menu = await emu.invoke(clinic.bob, clinic.general, "ground")
    assert menu.message is not None
    res = await emu.click(clinic.bob, menu.message, "lantern:ground:box:0")
    await res.wait_for_edit(16)  # 4 rounds of 4 phases
    await emu.wait_for(lambda: "Well done" in res.content, what="the end of the exercise")
    assert res.interaction.edits >= 17


async def test_grounding_from_the_crisis_message_never_overwrites_it(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    configured.get_cog("Grounding").pace = 0  # type: ignore[union-attr]
    group = await cohort_with(emu, clinic, clinic.bob)
    await emu.say(clinic.bob, group, CRISIS)
    support = await support_dm(emu, clinic.bob)
    res = await emu.click(clinic.bob, support, "lantern:ground:menu:new")
    assert res.kind == "message" and res.ephemeral and len(button_ids(res)) == 4
    assert "988" in text(support)  # the crisis lines are still there


async def test_setup_hours_validates_and_is_for_facilitators(
    travel: time_machine.Coordinates, emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    emu.override_command(clinic.guild, "setup", clinic.guild)
    refused = await emu.invoke(clinic.bob, clinic.general, "setup hours", schedule="Mon 9:00-17:00")
    assert "Only facilitators" in text(refused)
    bad = await emu.invoke(clinic.alice, clinic.general, "setup hours", schedule="Funday 9-5")
    assert "isn't a day" in text(bad) and "Nothing was changed" in text(bad)
    shown = await emu.invoke(clinic.alice, clinic.general, "setup hours")
    assert "No staffed hours set" in text(shown)
    ok = await emu.invoke(
        clinic.alice,
        clinic.general,
        "setup hours",
        schedule="Mon-Fri 9am-5pm; Sat 22:00-02:00",
        reannounce_minutes=5,
    )
    assert "Mon 09:00-17:00" in text(ok) and "Sun 00:00-02:00" in text(ok)
    assert "every 5 minute" in text(ok) and "on shift" in text(ok)
    cleared = await emu.invoke(clinic.alice, clinic.general, "setup hours", clear=True)
    assert "No staffed hours set" in text(cleared)
