"""The buttons under a cohort's end-of-program ask (ending.py): Graduate everyone, Extend
(a form for the new date) and Archive. Each runs the same service as its slash command,
with the same checks (program staff, or the cohort's care team)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import discord

from bot.buttons import PersistentButton
from bot.checks import guild_of
from bot.cogs import required_cog
from bot.errors import UserError
from bot.interactions import LanternModal
from cogs.cohorts.reach import require_reach

if TYPE_CHECKING:
    from cogs.cohorts.cog import Cohorts
    from cogs.cohorts.store import Cohort

ACTIONS = {
    "graduate": ("Graduate everyone", discord.ButtonStyle.success),
    "extend": ("Extend", discord.ButtonStyle.secondary),
    "archive": ("Archive", discord.ButtonStyle.danger),
}


def ending_view(cohort_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in ACTIONS:
        view.add_item(EndingButton(action, cohort_id))
    return view


def _cog(interaction: discord.Interaction) -> Cohorts:
    from cogs.cohorts.cog import Cohorts  # the cog registers these controls

    return required_cog(
        interaction.client, Cohorts, "Cohorts are unavailable right now. Please try again."
    )


async def _cohort(interaction: discord.Interaction, cohort_id: int) -> tuple[Cohorts, Cohort]:
    cog = _cog(interaction)
    found = await cog.store.get(guild_of(interaction).id, cohort_id)
    if found is None:
        raise UserError("That cohort no longer exists.")
    return cog, found


class EndingButton(
    PersistentButton,
    template=r"lantern:cohort:ending:(?P<action>graduate|extend|archive):(?P<cohort_id>[0-9]+)",
):
    def __init__(self, action: str, cohort_id: int) -> None:
        label, style = ACTIONS[action]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=style,
                custom_id=f"lantern:cohort:ending:{action}:{cohort_id}",
            )
        )
        self.action = action
        self.cohort_id = cohort_id

    async def run(self, interaction: discord.Interaction) -> None:
        cog, found = await _cohort(interaction, self.cohort_id)
        if self.action == "graduate":
            await cog.graduation.everyone(interaction, found.name, keep_history=True)
        elif self.action == "archive":
            await cog.lifecycle.archive(interaction, found.name, keep_access=True)
        else:
            _, reach = await require_reach(interaction)  # refused before the form, not after
            reach.require(found.id)
            await interaction.response.send_modal(ExtendModal(found.name, found.ends_on))


class ExtendModal(LanternModal, title="Extend the cohort"):
    def __init__(self, name: str, ends_on: date) -> None:
        super().__init__()
        self.name = name
        self.end: discord.ui.TextInput[ExtendModal] = discord.ui.TextInput(
            label="New last day (YYYY-MM-DD)",
            custom_id="end",
            placeholder=f"Now {ends_on}",
            min_length=8,
            max_length=10,
        )
        self.add_item(self.end)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).lifecycle.extend(interaction, self.name, self.end.value)
