"""The safety plan's controls: the editing checklist's buttons (one per part, each opening
a short modal that saves that part alone, so nothing typed earlier is ever lost) and the
"View safety plan" button on staff messages. The buttons are persistent
(`lantern:plan:edit:<part>`, `lantern:plan:view:<guild>:<user>`), so they keep working after
a restart; the handlers live in `plan.py`."""

from __future__ import annotations

from re import Match
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.buttons import PersistentButton
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
    next_part,
    person_text,
    prefill,
)

if TYPE_CHECKING:
    from cogs.support.plan import PlanCog


def checklist_view(plan: SafetyPlan | None, after: str | None = None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    suggested = next_part(plan, after)
    for part in PARTS:
        view.add_item(PlanPartButton(part.key, highlight=part.key == suggested))
    return view


class PartModal(LanternModal):
    def __init__(self, part: Part, plan: SafetyPlan | None, default: str | None) -> None:
        super().__init__(title=part.button, timeout=None)
        self.part = part
        self.inputs: list[discord.ui.TextInput[Any]] = []
        if part.key == "people":
            people = list(plan.people) if plan else []
            for slot in range(PEOPLE_SLOTS):
                current = people[slot] if slot < len(people) else None
                text, limit = prefill(person_text(current) if current else None, PERSON_LIMIT)
                field: discord.ui.TextInput[Any] = discord.ui.TextInput(
                    label=f"Person {slot + 1}: name and how to reach them",
                    placeholder=part.hint if slot == 0 else None,
                    default=text,
                    required=False,
                    max_length=limit,
                    custom_id=f"person{slot + 1}",
                )
                self.inputs.append(field)
                self.add_item(field)
            return
        current_text = plan.parts.get(part.key) if plan else None
        text, limit = prefill(current_text or default, PART_LIMIT)
        field = discord.ui.TextInput(
            label=part.question,
            placeholder=part.hint,
            default=text,
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=limit,
            custom_id="text",
        )
        self.inputs.append(field)
        self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        await cog.save_part(interaction, self.part.key, [f.value or "" for f in self.inputs])


class PlanPartButton(PersistentButton, template=r"lantern:plan:edit:(?P<part>[a-z_]+)"):
    def __init__(self, part: str, *, highlight: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=BY_KEY[part].button,
                style=discord.ButtonStyle.primary if highlight else discord.ButtonStyle.secondary,
                custom_id=f"lantern:plan:edit:{part}",
            )
        )
        self.part = part

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str], /
    ) -> Self:
        # A part an older version had: no button to rebuild (the default would hit a KeyError).
        if match["part"] not in BY_KEY:
            raise UserError("That part of the plan no longer exists. Run `/safetyplan edit`.")
        return cls(match["part"])

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).open_part(interaction, self.part)


class PlanViewButton(
    PersistentButton, template=r"lantern:plan:view:(?P<guild_id>[0-9]+):(?P<user_id>[0-9]+)"
):
    def __init__(self, guild_id: int, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="View safety plan",
                style=discord.ButtonStyle.secondary,
                emoji="📋",
                custom_id=f"lantern:plan:view:{guild_id}:{user_id}",
            )
        )
        self.guild_id, self.user_id = guild_id, user_id

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).view_shared(interaction, self.guild_id, self.user_id)


def _cog(interaction: discord.Interaction) -> PlanCog:
    from cogs.support.plan import PlanCog

    return required_cog(
        interaction.client, PlanCog, "Safety plans are restarting. Please try again in a minute."
    )


def plan_view_button(guild_id: int, user_id: int) -> discord.ui.Item[Any]:
    """The "View safety plan" button for staff messages (crisis alerts)."""
    return PlanViewButton(guild_id, user_id)
