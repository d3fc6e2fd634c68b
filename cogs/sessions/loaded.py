"""The loaded sessions context, for what Discord calls back without a cog: persistent
buttons and selects (after a restart too) and modals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.cogs import required_cog

if TYPE_CHECKING:
    from cogs.sessions.context import SessionsContext

UNAVAILABLE = "Sessions are unavailable right now. Please try again in a minute."


def context_of(interaction: discord.Interaction) -> SessionsContext:
    # Imported here: cog.py imports every module whose controls call this.
    from cogs.sessions.cog import Sessions

    return required_cog(interaction.client, Sessions, UNAVAILABLE).ctx
