"""Confirm / Cancel before a change that affects more than the person asking (a whole cohort,
every reminder on the server, other people's messages, someone's data for good).

Nothing happens until Confirm; only the person who asked can press either button. On
Confirm the question is replaced by `working` at once (so a second press finds no button),
then `on_confirm` runs with the click's interaction: its answers go out as follow-ups, or as
edits of the same message (`edit_original_response`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import UserError
from bot.interactions import LanternView, send_private

OnConfirm = Callable[[discord.Interaction], Awaitable[None]]


class Confirm(LanternView):
    def __init__(
        self,
        owner_id: int,
        on_confirm: OnConfirm,
        *,
        confirm: str = "Confirm",
        cancel: str = "Cancel",
        working: str = "Working on it…",
        cancelled: str = "Nothing changed.",
        timeout: float = 120,
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id, self.on_confirm = owner_id, on_confirm
        self.working, self.cancelled = working, cancelled
        self.yes.label, self.no.label = confirm, cancel

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            raise UserError("This confirmation belongs to someone else.")
        return True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def yes(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=self.working, view=None)
        await self.on_confirm(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def no(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=self.cancelled, view=None)


async def ask(interaction: discord.Interaction, question: str, view: Confirm) -> None:
    """Ask privately; nothing else happens until the person answers."""
    await send_private(interaction, question, view=view)
