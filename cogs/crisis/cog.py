"""Crisis detection and escalation: nobody in danger goes unseen.

Where it listens: messages (and edits) in cohort and alumni channels, DMs to the bot, and
whatever other features hand to `screen()` (check-in notes). Facilitators' and bots' messages
are not screened. Messages posted while Lantern was offline are screened when it is back
(`catchup.py`). Which channels are watched is kept in memory (`watched.py`).

What happens next is `escalation.py`: the alert and the support message are recorded with
the outbox in one transaction (`grouping.py` decides whether a flag joins the person's open
alert) and delivered from there, with fallbacks, until they land: staff by `delivery.py`
(through `reach.py`), the person by `outreach.py`. A crisis alert nobody acknowledges is
repeated every N minutes. `health.py` warns staff when the escalation channel breaks;
`actions.py` is what the alert buttons (`views.py`) do. This module is the listeners and
`/help-now`; `/resources` and `/crisis` are in `admin.py`.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import member_is_facilitator
from bot.client import LanternBot
from bot.errors import UserError
from bot.interactions import send_private
from bot.storage.database import DatabaseClosedError
from cogs.cohorts import api as cohorts_api
from cogs.crisis import messages
from cogs.crisis.actions import AlertActions
from cogs.crisis.cadence import Cadence
from cogs.crisis.catchup import CatchUp
from cogs.crisis.delivery import Delivery
from cogs.crisis.detector import Verdict, classify
from cogs.crisis.escalation import Escalation, Person, Said
from cogs.crisis.health import EscalationHealth
from cogs.crisis.marks import ScreenMarks
from cogs.crisis.outreach import SupportMessage
from cogs.crisis.recent import RecentMessages
from cogs.crisis.store import CrisisStore
from cogs.crisis.views import AlertButton, HelpButton, PersonButton
from cogs.crisis.watched import WatchedChannels
from cogs.support.api import Shift, current_shift, talk_button

log = logging.getLogger(__name__)


def said(message: discord.Message) -> Said:
    """What the pipeline keeps of a message: ids, and a key per version (edits)."""
    edited = message.edited_at
    return Said(
        channel_id=message.channel.id,
        message_id=message.id,
        key=f"{message.id}:{edited.timestamp()}" if edited else str(message.id),
        jump_url=message.jump_url if message.guild else None,
    )


class Crisis(commands.Cog):
    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = CrisisStore(bot.db, bot.cipher)
        marks = ScreenMarks(bot.db)
        self.escalation = Escalation(bot, self.store, marks, Cadence(bot.db))
        self.health = EscalationHealth(bot)
        self.delivery = Delivery(bot, self.store, self.escalation, self.health)
        self.outreach = SupportMessage(bot, self.store)
        self.actions = AlertActions(bot, self.store, self.escalation, self.delivery)
        self.catchup = CatchUp(bot, marks, self._screen_caught_up)
        self.recent = RecentMessages()
        self.watched = WatchedChannels(bot.db)
        self.members = cohorts_api.Membership(bot.db)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AlertButton, PersonButton, HelpButton)
        classify("warm-up")  # load and compile the rules now, not on someone's first message
        self.health.register()
        self.delivery.register()
        self.outreach.register()
        await self.escalation.rebuild()
        await self.watched.reload()  # before the first message: it must not wait on SQLite
        await self.catchup.start()
        self.bot.before_close.append(self.catchup.stop)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AlertButton, PersonButton, HelpButton)
        self.delivery.unregister()
        self.outreach.unregister()
        self.health.unregister()
        self.escalation.stop()
        await self.catchup.stop()
        if self.catchup.stop in self.bot.before_close:
            self.bot.before_close.remove(self.catchup.stop)

    # --- where it listens ------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self._screen_message(message, "message")

    @commands.Cog.listener()
    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        if before.content != after.content:
            await self._screen_message(after, "edit", edit=True)

    @commands.Cog.listener()
    async def on_lantern_shards_changed(self, added: set[int], removed: set[int]) -> None:
        """Servers taken over from a process that stopped: their waiting alerts repeat from
        here, and messages posted while nobody served them are screened now."""
        if added:
            await self.escalation.rebuild()
            await self.on_ready()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # A fresh session (first start, or a RESUME that failed): events may have been lost.
        self.catchup.request()
        with self.bot.in_flight(), contextlib.suppress(DatabaseClosedError):
            await self.watched.reload()  # spaces may have changed while events were lost
            for guild in self.bot.guilds:
                await self.health.check(guild)

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        self.catchup.request()

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is None and payload.channel_id not in self._dm_alert_channels():
            return
        alert = await self.store.by_alert_message(payload.message_id)
        if alert is not None:
            await self.escalation.repost(alert, payload.message_id)

    def _dm_alert_channels(self) -> set[int]:
        return {c.id for c in self.bot.private_channels}

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        await self.health.check(after.guild)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self.watched.discard(channel.guild.id, channel.id)
        await self.health.check(channel.guild)

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        if after in after.guild.me.roles or after.is_default():
            await self.health.check(after.guild)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if self.bot.user is not None and after.id == self.bot.user.id:
            await self.health.check(after.guild)

    async def _screen_message(
        self, message: discord.Message, source: str, *, edit: bool = False
    ) -> None:
        if message.author.bot or not message.content:
            return
        with self.bot.in_flight():
            if not edit and not self.catchup.first_sight(message):
                return  # already screened (replayed after a RESUME, or caught up)
            await self.catchup.note_dm_channel(message)
            await self._screen_message_now(message, source)
            if not edit:
                self.catchup.screened(message)

    async def _screen_caught_up(self, message: discord.Message) -> None:
        """A message from the history, posted while Lantern was offline."""
        await self._screen_message_now(message, "message", sent_offline_at=message.created_at)

    async def _screen_message_now(
        self, message: discord.Message, source: str, *, sent_offline_at: datetime | None = None
    ) -> None:
        if message.guild is None:
            guild = await self._home_guild(message.author.id)
            if guild is None:
                return
            member = guild.get_member(message.author.id)
            if member is not None:
                await self._screen_in_context(member, message, "dm", sent_offline_at)
            return
        if not isinstance(message.author, discord.Member):
            return
        channel_id = getattr(message.channel, "parent_id", None) or message.channel.id
        if not await self.watched.contains(message.guild.id, channel_id):
            return
        config = await self.bot.guild_configs.get(message.guild.id)
        if member_is_facilitator(message.author, config):
            return
        await self._screen_in_context(message.author, message, source, sent_offline_at)

    async def _screen_in_context(
        self,
        member: discord.Member,
        message: discord.Message,
        source: str,
        sent_offline_at: datetime | None,
    ) -> None:
        """Screen a message with the person's last few (goodbyes and plans can span several),
        then remember it, unless it raised a crisis: that alert covers what came before."""
        guild_id, at = member.guild.id, message.created_at
        verdict = await self.screen(
            member,
            message.content,
            source=source,
            message=message,
            sent_offline_at=sent_offline_at,
            mark=self.catchup.mark_for(message),
            context=self.recent.context(guild_id, member.id, at),
        )
        if verdict is None:
            return
        if verdict.level == "crisis":
            self.recent.drop(guild_id, member.id)
        else:
            self.recent.add(guild_id, member.id, at, message.content, message.id)

    @commands.Cog.listener()
    async def on_cohort_spaces_changed(self, guild_id: int) -> None:
        await self._reload_watched()

    @commands.Cog.listener()
    async def on_alumni_space_changed(self, guild_id: int) -> None:
        await self._reload_watched()

    async def _reload_watched(self) -> None:
        # Shutting down meanwhile: the next start loads them from the database.
        with self.bot.in_flight(), contextlib.suppress(DatabaseClosedError):
            await self.watched.reload()

    @commands.Cog.listener()
    async def on_personal_data_deleted(self, guild_id: int, user_id: int) -> None:
        self.recent.drop(guild_id, user_id)

    async def _home_guild(self, user_id: int) -> discord.Guild | None:
        """For a DM: the configured server where the person is enrolled, else any shared one."""
        shared = []
        for guild in self.bot.guilds:
            if guild.get_member(user_id) is None:
                continue
            config = await self.bot.guild_configs.get(guild.id)
            if config is not None and config.is_complete:
                shared.append(guild)
        if len(shared) < 2:  # the usual case: no enrolment to compare, no query
            return shared[0] if shared else None
        candidates = [
            (not await self.members.is_enrolled(guild.id, user_id), guild.id, guild)
            for guild in shared
        ]
        return min(candidates)[2]

    async def screen(
        self,
        member: discord.Member,
        text: str,
        *,
        message: discord.Message | None = None,
        **options: Any,
    ) -> Verdict | None:
        """Classify `text` from `member` (its `message`, if any) and escalate if needed
        (other features call this; other options as `Escalation.screen`). Never raises for
        Discord errors: what must be delivered is in the outbox."""
        return await self.escalation.screen(
            Person(member.guild.id, member.id),
            text,
            said=said(message) if message is not None else None,
            **options,
        )

    # --- /help-now -------------------------------------------------------------------

    @app_commands.command(name="help-now", description="Crisis lines right now, and a facilitator")
    async def help_now(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild or await self._home_guild(interaction.user.id)
        config = await self.bot.guild_configs.get(guild.id) if guild else None
        region = self.bot.resources.region(config.region if config else None)
        local = await self.store.resources(guild.id) if guild else []
        view: discord.ui.View | None = None
        shift: Shift | None = None
        if guild is not None and config is not None and config.is_complete:
            view = discord.ui.View(timeout=None)
            view.add_item(HelpButton(guild.id))
            view.add_item(talk_button(guild.id))  # support: a private conversation
            shift = await current_shift(self.bot, guild.id, config.timezone)
        card, details = messages.help_now_embed(region, local, shift)
        await send_private(interaction, embed=card, view=view, fallback_dm=True)
        for embed in details:  # local resources shortened to fit the card: every detail
            await send_private(interaction, embed=embed, fallback_dm=True)

    async def help_requested(self, interaction: discord.Interaction, guild_id: int) -> None:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(interaction.user.id) if guild else None
        if guild is None or member is None:
            raise UserError("I couldn't find your program's server. Please call a line above.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.screen(
            member,
            "",
            source="help_now",
            force_level="crisis",
            jump_url=interaction.message.jump_url
            if interaction.message and interaction.guild
            else None,
        )
        config = await self.bot.guild_configs.get(guild.id)
        shift = await current_shift(self.bot, guild.id, config.timezone if config else None)
        await send_private(interaction, messages.alerted_reply(shift), fallback_dm=True)
