"""Coping tools: `/ground` and the grounding buttons offered in the crisis message (and, for
other features, after a hard check-in). Texts come from `config/coping.toml`.

Buttons are persistent (`lantern:ground:<exercise>:<step>`), so they still work in a DM
sent weeks ago. `new` starts an exercise in a fresh private message (never overwriting the
crisis message that holds the crisis lines); a number moves an exercise along in place.
Box breathing is a paced sequence of edits; its pace is an attribute so tests use 0.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.buttons import PersistentButton
from bot.cogs import loaded_cog, required_cog
from bot.errors import UserError
from bot.interactions import NO_PINGS
from config.coping import CopingTexts, Exercise, load_coping

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


def menu_embed(texts: CopingTexts) -> discord.Embed:
    return discord.Embed(
        title="A few minutes for yourself",
        description="Pick one that feels right. There's no wrong choice, and you can stop any "
        "time.\n\n" + "\n".join(f"• **{e.label}**: {e.title}" for e in texts.exercises.values()),
        colour=discord.Colour.teal(),
    )


def menu_view(texts: CopingTexts) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for key in texts.exercises:
        view.add_item(GroundButton(key, "0", texts))
    return view


def offer_view(texts: CopingTexts, keys: tuple[str, ...] = ("box",)) -> list[discord.ui.Item[Any]]:
    """Buttons to offer coping tools inside another message: the given exercises, then
    "More ways to calm down" (the menu). Each opens a fresh private message."""
    items: list[discord.ui.Item[Any]] = [
        GroundButton(k, "new", texts) for k in keys if k in texts.exercises
    ]
    items.append(GroundButton("menu", "new", texts))
    return items


def step_embed(exercise: Exercise, step: int) -> discord.Embed:
    """Step 0 is the introduction; then one step per page (or the whole card)."""
    embed = discord.Embed(title=exercise.title, colour=discord.Colour.teal())
    if exercise.kind == "card":
        embed.description = exercise.intro + "\n\n" + "\n\n".join(exercise.card)
    elif step == 0:
        embed.description = exercise.intro
    else:
        embed.description = exercise.steps[step - 1]
        embed.set_footer(text=f"Step {step} of {len(exercise.steps)}")
    return embed


def breath_frames(exercise: Exercise) -> list[str]:
    """Every message of a paced exercise, in order (the first is the introduction)."""
    frames = [exercise.intro]
    seconds = int(exercise.seconds)
    for round_ in range(1, exercise.rounds + 1):
        for phase in exercise.phases:
            frames.append(f"**{phase}**… {seconds}\n\n-# Round {round_} of {exercise.rounds}")
    return frames


async def run_paced(
    edit: Callable[[str], Awaitable[None]],
    frames: list[str],
    pace: float,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Show each frame for `pace` seconds by editing one message (pace 0 in tests)."""
    for i, frame in enumerate(frames):
        if i:
            await sleep(pace)
        await edit(frame)


class GroundCog(commands.Cog, name="Grounding"):
    def __init__(self, bot: LanternBot, texts: CopingTexts | None = None) -> None:
        self.bot = bot
        self.texts = texts or load_coping()
        self.pace: float | None = None  # None: each exercise's own `seconds`
        self.sleep: Sleep = asyncio.sleep

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(GroundButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(GroundButton)

    @app_commands.command(name="ground", description="A short exercise to help you feel steadier")
    async def ground(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            embed=menu_embed(self.texts), view=menu_view(self.texts), ephemeral=True
        )

    async def pressed(self, interaction: discord.Interaction, key: str, step: str) -> None:
        fresh = step == "new"
        if key == "menu":
            await self._answer(interaction, menu_embed(self.texts), menu_view(self.texts), fresh)
            return
        exercise = self.texts.exercises.get(key)
        if exercise is None:
            raise UserError("That exercise isn't available any more. Try `/ground`.")
        log.info("grounding exercise", extra={"exercise": key, "user_id": interaction.user.id})
        if exercise.kind == "paced":
            await self._paced(interaction, exercise, fresh)
            return
        index = 0 if fresh else int(step)
        view = discord.ui.View(timeout=None)
        if exercise.kind == "steps" and index < len(exercise.steps):
            label = "Start" if index == 0 else "Next"
            view.add_item(GroundButton(key, str(index + 1), self.texts, label=label))
        else:
            view.add_item(GroundButton("menu", "0", self.texts, label="Another exercise"))
        embed = step_embed(exercise, index)
        if exercise.kind == "steps" and index == len(exercise.steps):
            embed.add_field(name="\u200b", value=self.texts.outro, inline=False)
        await self._answer(interaction, embed, view, fresh)

    async def _answer(
        self,
        interaction: discord.Interaction,
        embed: discord.Embed,
        view: discord.ui.View,
        fresh: bool,
    ) -> None:
        if fresh or interaction.message is None:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
        else:
            await interaction.response.edit_message(content=None, embed=embed, view=view)

    async def _paced(
        self, interaction: discord.Interaction, exercise: Exercise, fresh: bool
    ) -> None:
        frames = breath_frames(exercise)
        pace = exercise.seconds if self.pace is None else self.pace
        if fresh or interaction.message is None:
            await interaction.response.send_message(frames[0], ephemeral=True)
        else:
            await interaction.response.edit_message(content=frames[0], embed=None, view=None)

        async def edit(text: str) -> None:
            await interaction.edit_original_response(content=text, allowed_mentions=NO_PINGS)

        try:
            await run_paced(edit, frames[1:], pace, self.sleep)
            done = discord.ui.View(timeout=None)
            done.add_item(GroundButton("menu", "0", self.texts, label="Another exercise"))
            await interaction.edit_original_response(content=self.texts.outro, view=done)
        except discord.HTTPException as exc:
            # The person dismissed the message, or the 15-minute token ran out: just stop.
            log.info("box breathing stopped", extra={"status": exc.status})


class GroundButton(
    PersistentButton, template=r"lantern:ground:(?P<key>[a-z]+):(?P<step>new|[0-9]+)"
):
    def __init__(
        self,
        key: str,
        step: str | int,
        texts: CopingTexts | None = None,
        *,
        label: str | None = None,
    ) -> None:
        if label is None:
            exercise = texts.exercises.get(key) if texts else None
            label = exercise.label if exercise else "More ways to calm down"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"lantern:ground:{key}:{step}",
            )
        )
        # A step number comes back from the custom_id as an int; `pressed` reads "new" or digits.
        self.key, self.step = key, str(step)

    async def run(self, interaction: discord.Interaction) -> None:
        cog = required_cog(
            interaction.client,
            GroundCog,
            "The exercises are restarting. Please try again in a minute.",
        )
        await cog.pressed(interaction, self.key, self.step)


def coping_buttons(bot: LanternBot, keys: tuple[str, ...] = ("box",)) -> list[discord.ui.Item[Any]]:
    """For other features (crisis message, check-ins): buttons that start coping tools."""
    cog = loaded_cog(bot, GroundCog)
    texts = cog.texts if cog is not None else load_coping()
    return offer_view(texts, keys)
