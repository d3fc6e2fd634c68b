"""Moderation basics: "Report to facilitators", `/mod timeout|untimeout|purge|history`.

Every action is authorised here (facilitator role or Manage Server), recorded in the
`mod_actions` table and posted to the moderation-log channel without pinging anyone.
The commands are thin: reports live in reports.py (their buttons in views.py), the actions
on people and channels in actions.py.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import require_facilitator
from bot.client import LanternBot
from bot.outbox import URGENT
from cogs.moderation.actions import ModActions
from cogs.moderation.reports import REPORT, Reports
from cogs.moderation.store import ModerationStore
from cogs.moderation.views import ReportButton


class Moderation(commands.Cog):
    mod = app_commands.Group(name="mod", description="Moderation (facilitators)", guild_only=True)

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = ModerationStore(bot.db, bot.cipher)
        self.actions = ModActions(bot, self.store)
        self.reports = Reports(bot, self.store, self.actions)
        self.report_menu = app_commands.ContextMenu(
            name="Report to facilitators", callback=self.report_message
        )
        self.report_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.report_menu)
        self.bot.add_dynamic_items(ReportButton)
        self.bot.outbox.register(REPORT, self.reports.deliver, URGENT)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)
        self.bot.remove_dynamic_items(ReportButton)
        self.bot.outbox.unregister(REPORT)

    async def report_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        await self.reports.submit(interaction, message)

    # --- /mod ------------------------------------------------------------------------

    @mod.command(name="timeout", description="Time someone out (they can read but not talk)")
    @app_commands.describe(member="Who", duration="e.g. 10m, 1h, 1d (at most 28d)", reason="Why")
    async def timeout(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        duration: str,
        reason: app_commands.Range[str, 1, 300],
    ) -> None:
        await require_facilitator(interaction)
        await self.actions.apply_timeout(interaction, member, duration, reason)

    @mod.command(name="untimeout", description="End someone's timeout early")
    @app_commands.describe(member="Who", reason="Why (optional)")
    async def untimeout(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        await require_facilitator(interaction)
        await self.actions.end_timeout(interaction, member, reason)

    @mod.command(name="purge", description="Delete the last n messages in this cohort channel")
    @app_commands.describe(n="How many recent messages (1-100)")
    async def purge(
        self, interaction: discord.Interaction, n: app_commands.Range[int, 1, 100]
    ) -> None:
        await require_facilitator(interaction)
        await self.actions.ask_purge(interaction, n)

    @mod.command(name="history", description="Moderation actions about someone")
    @app_commands.describe(member="Who")
    async def history(self, interaction: discord.Interaction, member: discord.User) -> None:
        await require_facilitator(interaction)
        await self.actions.history(interaction, member)
