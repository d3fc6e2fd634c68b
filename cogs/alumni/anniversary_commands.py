"""`/milestone anniversary add|remove|list`, and the anniversaries part of `/milestone show`:
everything private to the person who runs them."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import send_private
from cogs.alumni import anniversaries as rules
from cogs.alumni.anniversary_delivery import shown
from cogs.alumni.anniversary_store import AnniversaryStore

log = logging.getLogger(__name__)


class AnniversaryCommands:
    def __init__(self, bot: LanternBot, store: AnniversaryStore) -> None:
        self.bot = bot
        self.store = store

    async def _today(self, guild_id: int) -> date:
        config = await self.bot.guild_configs.get(guild_id)
        zone = ZoneInfo((config.timezone if config else None) or "UTC")
        return self.bot.clock.now().astimezone(zone).date()

    async def add(self, interaction: discord.Interaction, name: str, day: str, share: bool) -> None:
        guild_id = interaction.guild_id or 0
        today = await self._today(guild_id)
        clean = rules.clean_name(name)
        happened_on = rules.parse_day(day, today)
        added = await self.store.add(
            guild_id,
            interaction.user.id,
            clean,
            happened_on,
            share=share,
            celebrated_year=rules.already_past(happened_on, today),
            now=self.bot.clock.now(),
            check=rules.check_room,
        )
        log.info("anniversary added", extra={"anniversary_id": added.id, "shared": share})
        await send_private(interaction, rules.added_text(added, shown(clean), today))

    async def remove(self, interaction: discord.Interaction, name: str) -> None:
        removed = await self.store.remove(interaction.guild_id or 0, interaction.user.id, name)
        if removed is None:
            raise UserError(
                "`name`: You have no anniversary with that name. `/milestone anniversary list` "
                "shows yours."
            )
        log.info("anniversary removed", extra={"anniversary_id": removed.id})
        await send_private(
            interaction, f"Removed **{shown(removed.name)}**; nothing more will be sent for it."
        )

    async def lines(self, guild_id: int, user_id: int) -> list[str]:
        mine = await self.store.of_person(guild_id, user_id)
        today = await self._today(guild_id)
        return rules.listing(mine, [shown(a.name) for a in mine], today)

    async def list_(self, interaction: discord.Interaction) -> None:
        lines = await self.lines(interaction.guild_id or 0, interaction.user.id)
        if not lines:
            await send_private(
                interaction,
                "You have no anniversaries yet. `/milestone anniversary add` adds one, e.g. "
                "`Graduated IOP`.",
            )
            return
        await send_private(interaction, embed=self.embed(lines))

    @staticmethod
    def embed(lines: list[str]) -> discord.Embed:
        """An embed: ten names of 80 characters, escaped, can outgrow a message's 2,000."""
        return discord.Embed(
            title=f"Your anniversaries ({len(lines)}/{rules.MAX_PER_PERSON})",
            description="\n".join(lines),
            colour=discord.Colour.gold(),
        ).set_footer(text="Only you can see this.")

    async def names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Autocomplete for `remove`: only the person's own anniversaries."""
        typed = current.strip().casefold()
        mine = await self.store.of_person(interaction.guild_id or 0, interaction.user.id)
        return [
            app_commands.Choice(name=a.name, value=a.name)
            for a in mine
            if typed in a.name.casefold()
        ][:25]
