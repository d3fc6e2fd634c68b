"""Controls for working on a safety plan together in a private conversation: the
"Work on the safety plan together" button in the conversation, the choice of a part, the
suggestion form, and the person's "Use this" / "Not this one". All persistent
(`lantern:plan:together:<conversation>`, `lantern:plan:together:pick:<conversation>`,
`lantern:plan:proposal:<use|skip>:<proposal>`), so they work after a restart; the handlers
live in plan_together.py."""

from __future__ import annotations

from re import Match
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.buttons import PersistentButton, PersistentSelect
from bot.cogs import required_cog
from bot.errors import UserError
from bot.interactions import LanternModal
from cogs.support.plan_parts import (
    BY_KEY,
    PART_LIMIT,
    PARTS,
    PEOPLE_SLOTS,
    PERSON_LIMIT,
    Part,
    SafetyPlan,
    person_text,
    prefill,
)

if TYPE_CHECKING:
    from cogs.support.plan_together import PlanTogether

# Modal descriptions: at most 100 characters.
PREFILLED = "What they wrote is filled in. Nothing changes unless they choose to use it."
NOT_SHARED = "Starts empty: you'll see their own words only once they share their plan."


class TogetherButton(
    PersistentButton, template=r"lantern:plan:together:(?P<conversation_id>[0-9]+)"
):
    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Work on the safety plan together",
                style=discord.ButtonStyle.secondary,
                emoji="📝",
                custom_id=f"lantern:plan:together:{conversation_id}",
            )
        )
        self.conversation_id = conversation_id

    async def run(self, interaction: discord.Interaction) -> None:
        await _together(interaction).start(interaction, self.conversation_id)


def together_view(conversation_id: int) -> discord.ui.View:
    """For the first message of a private conversation."""
    view = discord.ui.View(timeout=None)
    view.add_item(TogetherButton(conversation_id))
    return view


class PartSelect(
    PersistentSelect, template=r"lantern:plan:together:pick:(?P<conversation_id>[0-9]+)"
):
    def __init__(self, conversation_id: int, plan: SafetyPlan | None = None) -> None:
        # Which parts are written shows only for a shared plan: a private one's shape is theirs.
        options = [
            discord.SelectOption(
                label=part.heading,
                value=part.key,
                description=("written" if plan.has(part.key) else "empty") if plan else None,
            )
            for part in PARTS
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"lantern:plan:together:pick:{conversation_id}",
                placeholder="Choose a part of the plan",
                options=options,
            )
        )
        self.conversation_id = conversation_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> Self:
        return cls(int(match["conversation_id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        values = (interaction.data or {}).get("values") or []
        part = str(values[0]) if values else ""
        if part not in BY_KEY:
            raise UserError("Please choose one part of the plan.")
        await _together(interaction).picked(interaction, self.conversation_id, part)


def part_select_view(conversation_id: int, shared: SafetyPlan | None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PartSelect(conversation_id, shared))
    return view


class SuggestionModal(LanternModal):
    """One part, as the person's own form has it; prefilled only from a shared plan."""

    def __init__(self, conversation_id: int, part: Part, shared: SafetyPlan | None) -> None:
        super().__init__(title=f"Suggest: {part.button}", timeout=None)
        self.conversation_id, self.part = conversation_id, part
        self.inputs: list[discord.ui.TextInput[Any]] = []
        note = PREFILLED if shared is not None else NOT_SHARED
        if part.key == "people":
            people = list(shared.people) if shared else []
            for slot in range(PEOPLE_SLOTS):
                current = people[slot] if slot < len(people) else None
                text, limit = prefill(person_text(current) if current else None, PERSON_LIMIT)
                self._add(
                    f"Person {slot + 1}: name and how to reach them",
                    note if slot == 0 else None,
                    discord.ui.TextInput(
                        placeholder=part.hint if slot == 0 else None,
                        default=text,
                        required=False,
                        max_length=limit,
                        custom_id=f"person{slot + 1}",
                    ),
                )
            return
        text, limit = prefill(shared.parts.get(part.key) if shared else None, PART_LIMIT)
        self._add(
            part.question,
            note,
            discord.ui.TextInput(
                placeholder=part.hint,
                default=text,
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=limit,
                custom_id="text",
            ),
        )

    def _add(self, label: str, note: str | None, field: discord.ui.TextInput[Any]) -> None:
        self.inputs.append(field)
        self.add_item(discord.ui.Label(text=label, description=note, component=field))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _together(interaction).suggested(
            interaction, self.conversation_id, self.part.key, [f.value or "" for f in self.inputs]
        )


class AnswerButton(
    PersistentButton,
    template=r"lantern:plan:proposal:(?P<answer>use|skip):(?P<proposal_id>[0-9]+)",
):
    LABELS: dict[str, tuple[str, discord.ButtonStyle]] = {  # noqa: RUF012
        "use": ("Use this", discord.ButtonStyle.success),
        "skip": ("Not this one", discord.ButtonStyle.secondary),
    }

    def __init__(self, answer: str, proposal_id: int) -> None:
        label, style = self.LABELS[answer]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"lantern:plan:proposal:{answer}:{proposal_id}"
            )
        )
        self.answer, self.proposal_id = answer, proposal_id

    async def run(self, interaction: discord.Interaction) -> None:
        await _together(interaction).answered(interaction, self.proposal_id, self.answer == "use")


def answer_view(proposal_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in ("use", "skip"):
        view.add_item(AnswerButton(answer, proposal_id))
    return view


def _together(interaction: discord.Interaction) -> PlanTogether:
    from cogs.support.plan import PlanCog

    return required_cog(
        interaction.client, PlanCog, "Safety plans are restarting. Please try again in a minute."
    ).together
