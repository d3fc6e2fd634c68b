"""A test-only extension with a command that fails the way a bug would."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class Faulty(commands.Cog):
    @app_commands.command(name="boom", description="Fails like a bug would (tests only)")
    async def boom(self, interaction: discord.Interaction) -> None:
        raise RuntimeError("secret internals that must not reach the user")

    @app_commands.command(name="slow-boom", description="Defers, then fails (tests only)")
    async def slow_boom(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError("failed after deferring")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Faulty())
