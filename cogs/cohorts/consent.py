"""The consent gate's texts: the agreement as people see it, how long a server's agreement
may be, and what the agreement message says once it has been answered."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import cast

import discord

from bot.client import LanternBot
from bot.interactions import send_private
from cogs.cohorts.agreement import Agreement, max_length
from cogs.cohorts.logic import MAX_NAME, EnrollmentStatus
from cogs.cohorts.store import Cohort, Enrollment


def agreement_embed(
    guild: discord.Guild, cohort: Cohort, agreement: Agreement, text: str
) -> discord.Embed:
    embed = discord.Embed(
        title=f"Welcome to {cohort.name}",
        description=(
            f"You've been enrolled in **{cohort.name}** at **{guild.name}** "
            f"({cohort.starts_on:%b %d} to {cohort.ends_on:%b %d}). Before you can see the "
            "group's channels, please read the group agreement.\n\n" + text
        )[:4096],
        colour=discord.Colour.blurple(),
    )
    embed.set_footer(text=f"Group agreement, version {agreement.version}")
    return embed


async def agreement_room(bot: LanternBot, guild: discord.Guild) -> int:
    """How long the agreement may be: the welcome embed's intro (at its longest) and the
    region's crisis lines must fit with it in one embed description."""
    config = await bot.guild_configs.get(guild.id)
    region = bot.resources.region(config.region if config else None)
    longest = SimpleNamespace(
        name="W" * MAX_NAME, starts_on=date(2000, 1, 1), ends_on=date(2000, 1, 1)
    )
    intro = agreement_embed(
        cast(discord.Guild, SimpleNamespace(name="W" * 100)),  # Discord's longest name
        cast(Cohort, longest),
        Agreement(0, ""),
        "",
    ).description
    return max_length(region, len(intro or ""))


def done_text(enrollment: Enrollment) -> str | None:
    """What to say when the enrolment is no longer waiting for consent."""
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return "You've already agreed. Your cohort's channels are open to you."
    if enrollment.status != EnrollmentStatus.PENDING_CONSENT:
        return "This enrolment has ended, so there's nothing to agree to anymore."
    return None


async def close_buttons(interaction: discord.Interaction, content: str) -> None:
    """Replace the buttons on the agreement message with what happened."""
    try:
        if interaction.response.is_done():  # deferred while Discord calls were made
            await interaction.edit_original_response(content=content, view=None)
        else:
            await interaction.response.edit_message(content=content, view=None)
    except discord.HTTPException:
        await send_private(interaction, content)
