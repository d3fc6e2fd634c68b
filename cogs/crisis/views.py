"""The crisis feature's buttons: on alerts (facilitators), on the support DM (the person) and
on `/help-now`. All are persistent (`DynamicItem`), so they work hours later and after a
restart; each hands the click on (`actions.py`, `/help-now`'s to the cog), which checks who
may press it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from bot.buttons import PersistentButton
from bot.cogs import required_cog
from cogs.support.api import plan_view_button

if TYPE_CHECKING:
    from cogs.crisis.cog import Crisis

ACTIONS_BY_STATUS = {
    "open": ("ack", "reached", "false"),
    "acknowledged": ("reached", "close", "false"),
    "reached_out": ("close",),
}


def alert_view(
    alert_id: int, status: str, plan_owner: tuple[int, int] | None = None
) -> discord.ui.View | None:
    actions = ACTIONS_BY_STATUS.get(status, ())
    if not actions:
        return None
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(AlertButton(action, alert_id))
    if plan_owner is not None:  # support: the person shares their safety plan with staff
        view.add_item(plan_view_button(*plan_owner))
    return view


def person_view(alert_id: int, extra: Sequence[discord.ui.Item[Any]] = ()) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PersonButton("safe", alert_id))
    view.add_item(PersonButton("talk", alert_id))
    for item in extra:  # support: coping-tool buttons
        view.add_item(item)
    return view


class AlertButton(
    PersistentButton,
    template=r"lantern:alert:(?P<action>ack|reached|close|false):(?P<alert_id>[0-9]+)",
):
    LABELS: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "ack": ("Acknowledge", discord.ButtonStyle.primary),
        "reached": ("I've reached out", discord.ButtonStyle.success),
        "close": ("Close", discord.ButtonStyle.secondary),
        "false": ("False alarm", discord.ButtonStyle.secondary),
    }

    def __init__(self, action: str, alert_id: int) -> None:
        label, style = self.LABELS[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"lantern:alert:{action}:{alert_id}"
            )
        )
        self.action, self.alert_id = action, alert_id

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).actions.alert_action(interaction, self.action, self.alert_id)


class PersonButton(
    PersistentButton,
    template=r"lantern:crisis:(?P<action>safe|talk):(?P<alert_id>[0-9]+)",
):
    def __init__(self, action: str, alert_id: int) -> None:
        safe = action == "safe"
        super().__init__(
            discord.ui.Button(
                label="I'm safe right now" if safe else "Talk to a facilitator",
                style=discord.ButtonStyle.success if safe else discord.ButtonStyle.primary,
                custom_id=f"lantern:crisis:{action}:{alert_id}",
            )
        )
        self.action, self.alert_id = action, alert_id

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).actions.person_action(interaction, self.action, self.alert_id)


class HelpButton(
    PersistentButton,
    template=r"lantern:helpnow:(?P<guild_id>[0-9]+)",
):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Alert a facilitator",
                style=discord.ButtonStyle.danger,
                custom_id=f"lantern:helpnow:{guild_id}",
            )
        )
        self.guild_id = guild_id

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).help_requested(interaction, self.guild_id)


def _cog(interaction: discord.Interaction) -> Crisis:
    from cogs.crisis.cog import Crisis

    return required_cog(
        interaction.client,
        Crisis,
        "Crisis support is restarting. Please call a crisis line if you need one.",
    )
