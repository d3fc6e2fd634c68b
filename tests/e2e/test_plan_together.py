"""Working on a safety plan together from a private conversation: a facilitator suggests a
part (starting from the person's words only if they share their plan), the person alone
chooses "Use this" (the plan changes) or "Not this one" (it doesn't); others are refused,
another cohort's care team can't use it, a stale suggestion is refused kindly, and a
suggestion still works after a restart."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bot.client import LanternBot
from bot.crypto import PREFIX, generate_key
from cogs.cohorts.api import OUTSIDE_REACH
from cogs.support.plan_proposal_store import Outcome, Proposal
from cogs.support.plan_together import suggestion_embed
from emulator import Emulator
from emulator.model import Channel, Member, Message
from emulator.results import InteractionResult
from tests.e2e.harness import Clinic, Harness
from tests.e2e.steps.cohorts import create
from tests.e2e.steps.common import button_ids, text
from tests.e2e.steps.crisis import cohort_with
from tests.e2e.steps.support import notices, staff_click, talk

TOGETHER = "lantern:plan:together:"
SPRING, AUTUMN = "Spring Evening", "Autumn Morning"


async def open_conversation(emu: Emulator, clinic: Clinic) -> tuple[Channel, Message]:
    """Bob, in Spring Evening, opens /talk: his private thread and its first message."""
    await cohort_with(emu, clinic, clinic.bob)
    await talk(emu, clinic, clinic.bob)
    thread = next(c for c in emu.world.channels.values() if c.is_thread and c.name[0] == "#")
    return thread, emu.messages_in(thread)[0]


async def write(emu: Emulator, clinic: Clinic, part: str, values: dict[str, str]) -> None:
    """Bob edits one part of his own plan."""
    checklist = await emu.invoke(clinic.bob, clinic.general, "safetyplan edit")
    assert checklist.message is not None
    form = await emu.click(clinic.bob, checklist.message, f"lantern:plan:edit:{part}")
    await emu.submit_modal(clinic.bob, form, values)


async def pick(emu: Emulator, who: Member, first: Message, part: str) -> InteractionResult:
    """Click "Work on the safety plan together" and choose a part: the form (or a refusal)."""
    start = next(c for c in button_ids(first) if c.startswith(TOGETHER))
    picker = await emu.click(who, first, start)
    if not button_ids(picker):
        return picker
    assert picker.ephemeral and picker.message is not None, text(picker)
    return await emu.select(who, picker.message, button_ids(picker)[0], [part])


async def suggest(
    emu: Emulator, who: Member, thread: Channel, first: Message, part: str, values: dict[str, str]
) -> Message:
    before = len(suggestions(emu, thread))
    form = await pick(emu, who, first, part)
    assert form.kind == "modal", text(form)
    done = await emu.submit_modal(who, form, values)
    assert "chooses whether to use it" in text(done), text(done)
    await emu.wait_for(lambda: len(suggestions(emu, thread)) > before, what="the suggestion")
    return suggestions(emu, thread)[-1]


def suggestions(emu: Emulator, thread: Channel) -> list[Message]:
    return [m for m in emu.messages_in(thread) if m.embeds and "Suggested for" in text(m)]


async def answer(emu: Emulator, who: Member, suggestion: Message, choice: str) -> str:
    """Press Use this ("use") or Not this one ("skip"); every private line it brought."""
    res = await emu.click(who, suggestion, next(c for c in button_ids(suggestion) if choice in c))
    lines = [text(res)] if res.ephemeral else []
    if res.kind == "update":
        lines += [text(m) for m in await res.wait_for_followups(1)]
    elif res.ephemeral and any(button_ids(suggestion)):
        await emu.wait_for(lambda: not button_ids(suggestion), what="the buttons retired")
    return "\n".join(lines)


async def plan_text(emu: Emulator, clinic: Clinic) -> str:
    return text(await emu.invoke(clinic.bob, clinic.general, "safetyplan show"))


async def test_a_facilitator_suggests_and_the_person_uses_it(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start(data_key=generate_key())
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    thread, first = await open_conversation(emu, clinic)
    await write(emu, clinic, "coping_alone", {"text": "Cold shower, walk the dog"})
    await emu.invoke(clinic.bob, clinic.general, "safetyplan share", with_facilitators=True)

    start = next(c for c in button_ids(first) if c.startswith(TOGETHER))
    picker = await emu.click(clinic.alice, first, start)
    assert picker.ephemeral and "choose whether to use it" in text(picker)
    options = picker.components[0]["components"][0]["options"]
    assert len(options) == 7 and options[1]["description"] == "written"
    assert picker.message is not None
    form = await emu.select(clinic.alice, picker.message, button_ids(picker)[0], ["coping_alone"])
    assert form.modal is not None
    field = form.modal.fields["text"]
    assert field["value"] == "Cold shower, walk the dog" and field["max_length"] == 600
    proposed = "Cold shower, walk the dog\nCall my sister @everyone"
    done = await emu.submit_modal(clinic.alice, form, {"text": proposed})
    assert done.ephemeral and "chooses whether to use it" in text(done)
    await emu.wait_for(lambda: suggestions(emu, thread), what="the suggestion")
    [suggestion] = suggestions(emu, thread)
    assert suggestion in emu.visible_messages(clinic.bob, thread)
    assert "Call my sister" in text(suggestion) and "Things I can do on my own" in text(suggestion)
    assert suggestion.mentions == [] and not suggestion.mention_everyone  # pings nobody
    stored = await bot.db.fetch_one("SELECT proposed, base, status FROM plan_proposals")
    assert stored is not None and stored["status"] == "pending"
    assert stored["proposed"].startswith(PREFIX) and "sister" not in stored["proposed"]

    said = await answer(emu, clinic.bob, suggestion, "use")
    assert "Added to your safety plan" in said
    assert "added this to their safety plan" in suggestion.content and not button_ids(suggestion)
    assert "Call my sister" in await plan_text(emu, clinic)
    stored = await bot.db.fetch_one("SELECT proposed, base, status FROM plan_proposals")
    assert stored is not None and tuple(stored) == (None, None, "accepted")  # words cleared
    # A second answer (a double click racing the edit) changes nothing.
    together = bot.get_cog("SafetyPlan").together  # type: ignore[union-attr]
    again = await together.proposals.decide(1, False, bot.clock.now())
    assert again == (Outcome.ACCEPTED, False)


async def test_not_this_one_leaves_the_plan_unchanged_and_a_private_plan_is_not_shown(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    thread, first = await open_conversation(emu, clinic)
    await write(emu, clinic, "people", {"person1": "Mom - 555 0101"})  # not shared
    picker = await emu.click(
        clinic.alice, first, next(c for c in button_ids(first) if c.startswith(TOGETHER))
    )
    assert "aren't sharing their plan" in text(picker)
    options = picker.components[0]["components"][0]["options"]
    assert all("description" not in o for o in options)  # not even which parts are written
    form = await pick(emu, clinic.alice, first, "people")
    assert form.modal is not None
    assert not form.modal.fields["person1"].get("value")  # Mom is not shown
    assert "once they share" in str(form.modal.components)
    assert form.modal.fields["person1"]["max_length"] == 100
    await emu.submit_modal(clinic.alice, form, {"person1": "Sponsor Jim: 555 0199"})
    await emu.wait_for(lambda: suggestions(emu, thread), what="the suggestion")
    [suggestion] = suggestions(emu, thread)
    assert "**Sponsor Jim**: 555 0199" in text(suggestion) and "Mom" not in text(suggestion)

    said = await answer(emu, clinic.bob, suggestion, "skip")
    assert "just as it was" in said and "chose not to use" in suggestion.content
    body = await plan_text(emu, clinic)
    assert "Mom" in body and "Sponsor Jim" not in body
    # An empty suggestion is refused and nothing is posted.
    form = await pick(emu, clinic.alice, first, "reasons")
    empty = await emu.submit_modal(clinic.alice, form, {"text": "  \u200b "})
    assert "empty, so nothing was sent" in text(empty) and len(suggestions(emu, thread)) == 1


async def test_only_the_person_can_answer(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    thread, first = await open_conversation(emu, clinic)
    suggestion = await suggest(emu, clinic.alice, thread, first, "reasons", {"text": "My daughter"})
    # The conversation's button is the facilitator's: the person is told what it is for.
    theirs = await emu.click(clinic.bob, first, button_ids(first)[0])
    assert theirs.ephemeral and "is for your facilitator" in text(theirs)
    dev = emu.create_member(clinic.guild, "dev")
    thread.thread_members[dev.user.id] = datetime.now(UTC)  # sees the thread somehow
    for who in (clinic.alice, dev):
        refused = await emu.click(who, suggestion, button_ids(suggestion)[0])
        assert refused.ephemeral and "Only the person whose safety plan" in text(refused)
    assert len(button_ids(suggestion)) == 2
    assert "My daughter" not in await plan_text(emu, clinic)
    row = await configured.db.fetch_one("SELECT status FROM plan_proposals")
    assert row is not None and row[0] == "pending"


async def test_the_persons_care_team_can_and_another_cohorts_team_cannot(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    thread, first = await open_conversation(emu, clinic)
    await create(emu, clinic, AUTUMN)
    erin = emu.create_member(clinic.guild, "erin")  # Spring's team: Bob's
    frank = emu.create_member(clinic.guild, "frank")  # Autumn's team only
    dev = emu.create_member(clinic.guild, "dev")  # a participant
    for who, cohort in ((erin, SPRING), (frank, AUTUMN)):
        await emu.invoke(clinic.alice, clinic.general, "cohort team add", cohort=cohort,
                         member=who)  # fmt: skip
    for who in (erin, frank, dev):  # however they came to see it, Lantern checks for itself
        thread.thread_members[who.user.id] = datetime.now(UTC)

    outside = await pick(emu, frank, first, "reasons")
    assert outside.ephemeral and OUTSIDE_REACH in text(outside)
    nobody = await pick(emu, dev, first, "reasons")
    assert "Only facilitators" in text(nobody)
    suggestion = await suggest(emu, erin, thread, first, "reasons", {"text": "My garden"})
    assert "erin suggests" in suggestion.content
    await answer(emu, clinic.bob, suggestion, "use")
    assert "My garden" in await plan_text(emu, clinic)


async def test_a_stale_suggestion_is_refused_kindly(
    emu: Emulator, clinic: Clinic, configured: LanternBot
) -> None:
    thread, first = await open_conversation(emu, clinic)
    await write(emu, clinic, "warning_signs", {"text": "Not sleeping"})
    old = await suggest(emu, clinic.alice, thread, first, "warning_signs", {"text": "Isolating"})
    other = await suggest(emu, clinic.alice, thread, first, "reasons", {"text": "My dog"})
    await write(emu, clinic, "warning_signs", {"text": "Not sleeping, skipping meals"})

    said = await answer(emu, clinic.bob, old, "use")
    assert "has changed since this was suggested" in said
    assert "No longer current" in old.content and not button_ids(old)
    body = await plan_text(emu, clinic)
    assert "skipping meals" in body and "Isolating" not in body
    await answer(emu, clinic.bob, other, "use")  # another part changing is no matter
    assert "My dog" in await plan_text(emu, clinic)

    late = await suggest(emu, clinic.alice, thread, first, "coping_alone", {"text": "Run"})
    (notice,) = notices(emu, clinic)
    form = await staff_click(emu, clinic.alice, notice, "close")
    closed = await emu.submit_modal(clinic.alice, form, {"reason": "Talked it through"})
    await closed.wait_for_edit()
    await emu.wait_for(lambda: thread.locked, what="the conversation closed")
    said = await answer(emu, clinic.bob, late, "use")
    assert "conversation has closed" in said
    assert "Run" not in await plan_text(emu, clinic)
    after = await pick(emu, clinic.alice, first, "reasons")
    assert "conversation is closed" in text(after)


async def test_a_suggestion_survives_a_restart(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    await bot.guild_configs.save(clinic.config(), bot.clock.now())
    thread, first = await open_conversation(emu, clinic)
    suggestion = await suggest(emu, clinic.alice, thread, first, "distractions", {"text": "Gym"})
    await harness.restart()
    said = await answer(emu, clinic.bob, suggestion, "use")
    assert "Added to your safety plan" in said
    assert "Gym" in await plan_text(emu, clinic)
    # The conversation's own button works after the restart too.
    form = await pick(emu, clinic.alice, first, "reasons")
    assert form.kind == "modal", text(form)

    # Unanswered when the conversation closed: its words are cleared at the next start.
    late = await suggest(emu, clinic.alice, thread, first, "reasons", {"text": "The sea"})
    (notice,) = notices(emu, clinic)
    form = await staff_click(emu, clinic.alice, notice, "close")
    await (await emu.submit_modal(clinic.alice, form, {"reason": "All done"})).wait_for_edit()
    bot = await harness.restart()
    row = await bot.db.fetch_one("SELECT status, proposed FROM plan_proposals WHERE id = 2")
    assert row is not None and tuple(row) == ("closed", None)
    res = await emu.click(clinic.bob, late, button_ids(late)[0])
    assert res.ephemeral and "conversation has closed" in text(res)
    assert "The sea" not in await plan_text(emu, clinic)


def test_the_suggestion_fits_discords_limits() -> None:
    long = Proposal(1, 1, 2, 3, 4, "reasons", "x" * 4000, Outcome.PENDING, None, None)
    embed = suggestion_embed(long)
    assert len(embed) <= 6000 and len(embed.description or "") <= 4096
    assert isinstance(embed, discord.Embed)
