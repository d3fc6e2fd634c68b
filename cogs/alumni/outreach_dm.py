"""The outreach DM to a quiet alumnus (written at delivery, so the lounge, events and lines
are current) and its persistent "Stop these messages" / "Start them again" buttons."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord.utils import format_dt

from bot import lists
from bot.buttons import PersistentButton
from bot.cogs import loaded_cog
from bot.errors import UserError
from bot.interactions import NO_PINGS
from bot.outbox import Item, Landed
from bot.safety import crisis_lines
from cogs.alumni.outreach_store import OutreachStore
from cogs.alumni.store import AlumniStore
from cogs.crisis.api import local_lines, local_resources
from cogs.sessions.api import session_event_ids

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

OUTREACH = "alumni_outreach"
EVENTS_AHEAD = timedelta(days=30)
EVENTS_SHOWN = 3
COLOUR = discord.Colour.teal()


class OutreachButton(
    PersistentButton,
    template=r"lantern:outreach:(?P<action>stop|start):(?P<guild_id>[0-9]+)",
):
    def __init__(self, action: str, guild_id: int) -> None:
        stop = action == "stop"
        super().__init__(
            discord.ui.Button(
                label="Stop these messages" if stop else "Start them again",
                style=discord.ButtonStyle.secondary if stop else discord.ButtonStyle.primary,
                custom_id=f"lantern:outreach:{action}:{guild_id}",
            )
        )
        self.action, self.guild_id = action, guild_id

    async def run(self, interaction: discord.Interaction) -> None:
        from cogs.alumni.cog import Alumni  # the cog registers this button

        cog = loaded_cog(interaction.client, Alumni)
        if cog is None:
            raise UserError("I can't change that right now; please try again in a minute.")
        await cog.aftercare.dm.answer(interaction, self.guild_id, self.action)


def button_view(action: str, guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(OutreachButton(action, guild_id))
    return view


class OutreachDM:
    def __init__(self, bot: LanternBot, store: OutreachStore, spaces: AlumniStore) -> None:
        self.bot, self.store, self.spaces = bot, store, spaces

    async def deliver(self, item: Item) -> Landed | None:
        guild = self.bot.get_guild(item.guild_id or 0)
        member = guild.get_member(item.subject_id) if guild else None
        if guild is None or member is None:
            return None  # left meanwhile
        if (await self.store.contact(guild.id, member.id)).opted_out_at is not None:
            return None  # stopped them between the run and now
        embed = await self.embed(guild)
        try:
            sent = await member.send(
                embed=embed,
                view=button_view("stop", guild.id),
                allowed_mentions=NO_PINGS,
                nonce=item.nonce(),
            )
        except (discord.Forbidden, discord.NotFound):
            # Recorded for the staff list; the run won't knock again until they're back.
            await self.store.set_dms_closed(guild.id, member.id, self.bot.clock.now())
            log.info("alumnus's DMs are closed", extra={"user_id": member.id})
            return Landed("dms_closed")
        return Landed("dm", sent.channel.id, sent.id)

    async def embed(self, guild: discord.Guild) -> discord.Embed:
        config = await self.bot.guild_configs.get(guild.id)
        region = self.bot.resources.region(config.region if config else None)
        space = await self.spaces.space(guild.id)
        lounge = guild.get_channel(space.lounge_channel_id) if space else None
        text = (
            f"Hi! It's been a little while since we've seen you in **{guild.name}**, and people "
            "here are thinking of you. No pressure and nothing you need to do: just a reminder "
            "that the door is open whenever you'd like."
        )
        if isinstance(lounge, discord.TextChannel):
            text += f"\n\nThe alumni lounge is always there to catch up: {lounge.mention}."
        embed = discord.Embed(title="Thinking of you 💛", description=text, colour=COLOUR)
        events = await self.peer_events(guild, self.bot.clock.now())
        if events:
            embed.add_field(
                name="Coming up",
                value=lists.shorten("\n".join(events), lists.FIELD_VALUE_LIMIT),
                inline=False,
            )
        embed.add_field(
            name="If things are hard right now",
            value=lists.shorten(
                "These lines are free and confidential:\n" + crisis_lines(region)
                + "\nLantern is not an emergency service: if you are in danger, call "
                f"**{region.emergency}**.",
                lists.FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )  # fmt: skip
        local = local_lines(await local_resources(self.bot, guild.id), "name and contact")
        if local:
            embed.add_field(
                name="Near you",
                value=lists.shorten("\n".join(local), lists.FIELD_VALUE_LIMIT),
                inline=False,
            )
        embed.set_footer(text="Rather not get these? The button below stops them.")
        return embed

    async def peer_events(self, guild: discord.Guild, now: datetime) -> list[str]:
        """The server's next scheduled events (not a cohort's own sessions)."""
        cohort_events = await session_event_ids(self.bot.db, guild.id)
        upcoming = sorted(
            (
                e
                for e in guild.scheduled_events
                if e.id not in cohort_events
                and e.status == discord.EventStatus.scheduled
                and now <= e.start_time <= now + EVENTS_AHEAD
            ),
            key=lambda e: e.start_time,
        )
        return [
            f"• {discord.utils.escape_markdown(e.name)} · {format_dt(e.start_time, 'F')}"
            for e in upcoming[:EVENTS_SHOWN]
        ]

    async def answer(self, interaction: discord.Interaction, guild_id: int, action: str) -> None:
        stop = action == "stop"
        now = self.bot.clock.now()
        await self.store.set_opted_out(guild_id, interaction.user.id, now if stop else None)
        log.info(
            "alumni outreach " + ("stopped" if stop else "started again"),
            extra={"user_id": interaction.user.id, "guild_id": guild_id},
        )
        if stop:
            await interaction.response.send_message(
                "Done: no more of these messages. You're still welcome any time, and the lines "
                "above stay here if you need them. Changed your mind? Press the button below.",
                view=button_view("start", guild_id),
            )
        else:
            await interaction.response.edit_message(
                content="Welcome back: I'll check on you now and then again. 💛", view=None
            )
