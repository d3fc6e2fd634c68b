"""Moderation actions on people and channels: `/mod timeout|untimeout|purge|history` and the
timeout a report's button asks for. Every action is written to `mod_actions` and posted to
the moderation-log channel without pinging anyone."""

from __future__ import annotations

from typing import Any

import discord

from bot import inputs, lists
from bot.checks import guild_of, member_is_facilitator
from bot.client import LanternBot
from bot.confirm import Confirm, ask
from bot.errors import UserError
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from bot.staff import post_log
from cogs.cohorts import api as cohorts_api
from cogs.moderation import logic
from cogs.moderation.store import ModerationStore


class ModActions:
    def __init__(self, bot: LanternBot, store: ModerationStore) -> None:
        self.bot = bot
        self.store = store

    async def record(
        self, interaction: discord.Interaction, action: str, text: str, **fields: Any
    ) -> None:
        """The action in `mod_actions`, and `text` in the moderation log."""
        guild = guild_of(interaction)
        await self.store.record(
            guild_id=guild.id,
            actor_id=interaction.user.id,
            action=action,
            now=self.bot.clock.now(),
            **fields,
        )
        config = await self.bot.guild_configs.get(guild.id)
        await post_log(self.bot.outbox, guild, config, text)

    async def apply_timeout(
        self, interaction: discord.Interaction, member: discord.Member, duration: str, reason: str
    ) -> None:
        """Time `member` out for the typed `duration`; the caller has authorised."""
        guild = guild_of(interaction)
        length = inputs.parsed("duration", logic.parse_duration, duration)
        reason = inputs.text(reason, "reason", max_length=300) or ""
        config = await self.bot.guild_configs.get(guild.id)
        if member.bot or member.id == interaction.user.id:
            raise UserError("You can't time out a bot or yourself.")
        if member_is_facilitator(member, config):
            raise UserError("Facilitators can't be timed out with Lantern.")
        if member.top_role >= guild.me.top_role or member.id == guild.owner_id:
            raise UserError(
                f"My role isn't above {member.mention}'s highest role, so Discord won't let me "
                "time them out."
            )
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await member.timeout(length, reason=f"{interaction.user}: {reason}")
        except discord.Forbidden:
            raise UserError(
                "Discord refused: I need **Timeout Members** above their role."
            ) from None
        until = self.bot.clock.now() + length
        await self.record(
            interaction,
            "timeout",
            f"{interaction.user.mention} timed out {member.mention} for "
            f"{inputs.describe(length)}: {logic.excerpt(reason, 200)}",
            target_id=member.id,
            reason=reason,
            detail=f"until {until.isoformat()}",
        )
        await send_private(
            interaction,
            f"Timed out {member.mention} for {inputs.describe(length)} "
            f"(until <t:{int(until.timestamp())}:f>).",
        )

    async def end_timeout(
        self, interaction: discord.Interaction, member: discord.Member, reason: str | None
    ) -> None:
        if not member.is_timed_out():
            raise UserError(f"{member.mention} isn't timed out.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await member.timeout(None, reason=f"{interaction.user}: {reason or 'ended early'}")
        await self.record(
            interaction,
            "untimeout",
            f"{interaction.user.mention} ended {member.mention}'s timeout"
            + (f": {logic.excerpt(reason, 200)}" if reason else "."),
            target_id=member.id,
            reason=reason,
        )
        await send_private(interaction, f"{member.mention} can talk again.")

    async def ask_purge(self, interaction: discord.Interaction, n: int) -> None:
        """Only in a cohort's text channel, and only after a confirmation."""
        guild = guild_of(interaction)
        channel = interaction.channel
        owner = (
            await cohorts_api.owning_cohort(self.bot, guild.id, channel.id)
            if channel is not None
            else None
        )
        if owner is None or not isinstance(channel, discord.TextChannel):
            raise UserError("`/mod purge` only works in a cohort's text channels.")
        await ask(
            interaction,
            f"Delete the last **{n}** message(s) in {channel.mention}? This can't be undone.",
            Confirm(
                interaction.user.id,
                lambda click: self._purge(click, channel, n),
                confirm=f"Delete {n}",
                working=f"Deleting {n} message(s)…",
                cancelled="Nothing was deleted.",
            ),
        )

    async def _purge(
        self, interaction: discord.Interaction, channel: discord.TextChannel, n: int
    ) -> None:
        deleted = await channel.purge(limit=n, reason=f"Lantern: purge by {interaction.user}")
        await self.record(
            interaction,
            "purge",
            f"{interaction.user.mention} deleted {len(deleted)} message(s) in {channel.mention}.",
            channel_id=channel.id,
            detail=str(len(deleted)),
        )
        await send_private(interaction, f"Deleted {len(deleted)} message(s).")

    async def history(self, interaction: discord.Interaction, member: discord.User) -> None:
        guild = guild_of(interaction)
        actions, total = await self.store.history(guild.id, member.id)
        if not actions:
            await send_private(interaction, f"No moderation actions about {member.mention}.")
            return
        lines = [
            f"<t:{int(a.created_at.timestamp())}:d> **{a.action}** by <@{a.actor_id}>"
            + (f": {logic.excerpt(a.reason, 120)}" if a.reason else "")
            for a in actions
        ]
        pages = lists.paginate(
            lines=lines,
            title=f"Moderation history of {member.display_name}",
            footer=lists.omitted(len(actions), total, "their /mydata export holds every one"),
        )
        await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))
