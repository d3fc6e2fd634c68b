"""Crisis detection and escalation: nobody in danger goes unseen.

Where it listens: messages (and edits) in cohort and alumni channels, DMs to the bot, and
whatever other features hand to `screen()` (check-in notes). Facilitators' and bots' messages
are not screened. Messages posted while Lantern was offline are screened when it is back
(`catchup.py`). What happens next is `escalation.py`: the alert and the support message are
recorded with the outbox in one transaction and delivered from there, with fallbacks, until
they land; a crisis alert nobody acknowledges is repeated every N minutes. This module is
the Discord side: listeners, the buttons' actions and `/help-now`; `/resources` and `/crisis`
are in `admin.py`.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import member_is_facilitator
from bot.client import LanternBot
from bot.errors import NotAuthorized, UserError
from bot.interactions import send_private
from bot.storage.database import DatabaseClosedError
from cogs.cohorts import api as cohorts_api
from cogs.crisis import messages
from cogs.crisis.catchup import CatchUp
from cogs.crisis.detector import Verdict, classify
from cogs.crisis.escalation import Escalation
from cogs.crisis.recent import RecentMessages
from cogs.crisis.store import Alert, CrisisStore
from cogs.crisis.views import AlertButton, HelpButton, PersonButton
from cogs.crisis.watched import WatchedChannels
from cogs.support.api import Shift, current_shift, open_talk_modal, talk_button

log = logging.getLogger(__name__)


STATUS_BY_ACTION = {
    "ack": "acknowledged",
    "reached": "reached_out",
    "close": "closed",
    "false": "false_alarm",
}


class Crisis(commands.Cog):
    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = CrisisStore(bot.db, bot.cipher)
        self.escalation = Escalation(bot, self.store)
        self.catchup = CatchUp(bot, self.store, self._screen_caught_up)
        self.recent = RecentMessages()
        self.watched = WatchedChannels(bot.db)
        self.members = cohorts_api.Membership(bot.db)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AlertButton, PersonButton, HelpButton)
        classify("warm-up")  # load and compile the rules now, not on someone's first message
        self.escalation.register()
        await self.escalation.rebuild()
        await self.catchup.start()
        self.bot.before_close.append(self.catchup.stop)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AlertButton, PersonButton, HelpButton)
        self.escalation.unregister()
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
    async def on_ready(self) -> None:
        # A fresh session (first start, or a RESUME that failed): events may have been lost.
        self.catchup.request()
        with self.bot.in_flight(), contextlib.suppress(DatabaseClosedError):
            for guild in self.bot.guilds:
                await self.escalation.check_escalation(guild)

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
        await self.escalation.check_escalation(after.guild)

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.escalation.check_escalation(channel.guild)

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        if after in after.guild.me.roles or after.is_default():
            await self.escalation.check_escalation(after.guild)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if self.bot.user is not None and after.id == self.bot.user.id:
            await self.escalation.check_escalation(after.guild)

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
        self, message: discord.Message, source: str, *, sent_offline_at: Any = None
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
        self, member: discord.Member, message: discord.Message, source: str, sent_offline_at: Any
    ) -> None:
        """Screen a message with the person's last few (goodbyes and plans can span several),
        then remember it, unless it raised a crisis: that alert covers what came before."""
        guild_id, at = member.guild.id, message.created_at
        verdict = await self.escalation.screen(
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
        await self.watched.reload()

    @commands.Cog.listener()
    async def on_alumni_space_changed(self, guild_id: int) -> None:
        await self.watched.reload()

    @commands.Cog.listener()
    async def on_personal_data_deleted(self, guild_id: int, user_id: int) -> None:
        self.recent.drop(guild_id, user_id)

    async def _home_guild(self, user_id: int) -> discord.Guild | None:
        """For a DM: the configured server where the person is enrolled, else any shared one."""
        candidates = []
        for guild in self.bot.guilds:
            if guild.get_member(user_id) is None:
                continue
            config = await self.bot.guild_configs.get(guild.id)
            if config is None or not config.is_complete:
                continue
            enrolled = await self.members.is_enrolled(guild.id, user_id)
            candidates.append((not enrolled, guild.id, guild))
        return min(candidates)[2] if candidates else None

    async def screen(self, member: discord.Member, text: str, **options: Any) -> Verdict | None:
        """Classify `text` from `member` and escalate if needed (other features call this;
        options as `Escalation.screen`). Never raises for Discord errors: what must be
        delivered is in the outbox."""
        return await self.escalation.screen(member, text, **options)

    # --- buttons ---------------------------------------------------------------------

    async def alert_action(
        self, interaction: discord.Interaction, action: str, alert_id: int
    ) -> None:
        """A facilitator pressed a button on an alert (in the staff channel, or in their DMs
        when the alert had to fall back there)."""
        alert = await self.store.get(alert_id)
        guild = self.bot.get_guild(alert.guild_id) if alert else None
        if interaction.guild is not None and (
            alert is None or alert.guild_id != interaction.guild.id
        ):
            raise UserError("That alert no longer exists.")
        if alert is None or guild is None:
            raise UserError("That alert no longer exists.")
        await self._require_alert_staff(interaction, guild)
        await interaction.response.defer()
        updated, line = await self.move(alert, STATUS_BY_ACTION[action], interaction.user)
        await interaction.edit_original_response(
            embed=messages.alert_embed(
                updated, author=self.escalation._author(guild, updated), status_line=line
            ),
            view=await self.escalation._alert_view(updated),
        )

    async def _require_alert_staff(
        self, interaction: discord.Interaction, guild: discord.Guild
    ) -> None:
        config = await self.bot.guild_configs.get(guild.id)
        member = guild.get_member(interaction.user.id)
        if member is None or not member_is_facilitator(member, config):
            raise NotAuthorized("Only facilitators can act on alerts.")

    async def move(self, alert: Alert, status: str, who: discord.abc.User) -> tuple[Alert, str]:
        """Acknowledge, mark reached out, close or call a false alarm; repeats stop."""
        if alert.status in ("closed", "false_alarm"):
            raise UserError(f"This alert is already {messages.STATUS_TEXT[alert.status].lower()}.")
        now = self.bot.clock.now()
        updated = await self.store.set_status(alert.id, status, who.id, now)
        self.escalation.cancel_repeats(alert.id)
        if status == "false_alarm":
            await self.store.add_feedback(alert, "none", who.id, now)
        elif status == "reached_out":
            await self.store.add_feedback(alert, alert.level, who.id, now)
        log.info("alert updated", extra={"alert_id": alert.id, "status": status})
        line = f"{messages.STATUS_TEXT[status]} by {who.mention} {messages.timestamp(now)}"
        return updated or alert, line

    async def person_action(
        self, interaction: discord.Interaction, action: str, alert_id: int
    ) -> None:
        alert = await self.store.get(alert_id)
        if alert is None or alert.user_id != interaction.user.id:
            raise UserError("This message was meant for someone else.")
        now = self.bot.clock.now()
        opened_talk = False
        if action == "talk":
            # Support: answer with the /talk modal at once, so the person can write now.
            try:
                await open_talk_modal(
                    interaction, alert.guild_id, origin="crisis", alert_id=alert.id
                )
                opened_talk = True
            except UserError:
                pass  # conversations unavailable: facilitators are still asked to reach out
        if action == "safe":
            reply = (
                "Thank you for letting me know. I'm glad you're safe right now. If that "
                "changes, the lines above are there any time, and so is `/help-now`."
            )
            note = f"<@{alert.user_id}> pressed **I'm safe right now** {messages.timestamp(now)}."
        else:
            config = await self.bot.guild_configs.get(alert.guild_id)
            zone = config.timezone if config else None
            reply = messages.alerted_reply(await current_shift(self.bot, alert.guild_id, zone))
            note = (
                f"<@{alert.user_id}> asked to **talk to a facilitator** {messages.timestamp(now)}."
            )
        event = "person_safe" if action == "safe" else "person_wants_talk"
        async with self.bot.db.transaction():
            await self.store.note(alert.id, event, interaction.user.id, now)
            await self.escalation.note(
                alert, note, ping=action == "talk", key=f"crisis_note:{alert.id}:{event}:{now}"
            )
        if not opened_talk:
            await send_private(interaction, reply)

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
