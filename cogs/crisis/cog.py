"""Crisis detection and escalation: nobody in danger goes unseen.

Where it listens: messages (and edits) in cohort and alumni channels, DMs to the bot, and
whatever other features hand to `screen()` (check-in notes). Facilitators' and bots' messages
are not screened. Messages posted while Lantern was offline are screened when it is back
(`catchup.py`). What happens next is `escalation.py`: the alert and the support message are
recorded with the outbox in one transaction and delivered from there, with fallbacks, until
they land; a crisis alert nobody acknowledges is repeated every N minutes. This module is
the Discord side: listeners, the buttons' actions, `/help-now`, `/resources` and `/crisis`.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists
from bot.checks import guild_of, member_is_facilitator, require_facilitator
from bot.client import LanternBot
from bot.errors import NotAuthorized, UserError
from bot.inputs import snowflake
from bot.interactions import send_private
from bot.pages import send_pages, to_embed, to_embeds
from bot.safety import crisis_lines
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

LOG_LIMIT = 50  # newest alerts in /crisis log, across pages
MAX_LOCAL_RESOURCES = 15  # all of them always reach the crisis DM and /help-now

STATUS_BY_ACTION = {
    "ack": "acknowledged",
    "reached": "reached_out",
    "close": "closed",
    "false": "false_alarm",
}


class Crisis(commands.Cog):
    crisis = app_commands.Group(
        name="crisis", description="Crisis alerts (facilitators)", guild_only=True
    )
    resources = app_commands.Group(
        name="resources", description="Local crisis resources (facilitators)", guild_only=True
    )

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
        updated, line = await self._move(alert, STATUS_BY_ACTION[action], interaction.user)
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

    async def _move(self, alert: Alert, status: str, who: discord.abc.User) -> tuple[Alert, str]:
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

    # --- /resources ------------------------------------------------------------------

    @resources.command(name="add", description="Add a local crisis resource for this server")
    @app_commands.describe(
        name="e.g. County Mobile Crisis Team",
        contact="Phone number, text number or link",
        hours="e.g. 24/7, or Mon-Fri 9-17",
        note="Anything people should know",
    )
    async def resources_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 2, 80],
        contact: app_commands.Range[str, 3, 120],
        hours: app_commands.Range[str, 1, 60] | None = None,
        note: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        if len(await self.store.resources(guild.id)) >= MAX_LOCAL_RESOURCES:
            raise UserError(
                f"A server can list at most {MAX_LOCAL_RESOURCES} local resources. "
                "Remove one first."
            )
        try:
            await self.store.add_resource(
                guild.id,
                name.strip(),
                contact.strip(),
                hours,
                note,
                interaction.user.id,
                self.bot.clock.now(),
            )
        except Exception as exc:
            if "UNIQUE" not in str(exc):
                raise
            raise UserError(f"There's already a resource called **{name}**.") from None
        await send_private(
            interaction,
            f"Added **{discord.utils.escape_markdown(name)}**. It now appears in `/help-now` "
            "and crisis messages.",
        )

    @resources.command(name="remove", description="Remove a local crisis resource")
    @app_commands.describe(name="The resource's name")
    async def resources_remove(self, interaction: discord.Interaction, name: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        if not await self.store.remove_resource(guild.id, name.strip()):
            raise UserError(
                f"There's no local resource called **{discord.utils.escape_markdown(name)}**."
            )
        await send_private(interaction, f"Removed **{discord.utils.escape_markdown(name)}**.")

    @resources.command(name="list", description="Crisis resources shown on this server")
    async def resources_list(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        region = self.bot.resources.region(config.region if config else None)
        local = await self.store.resources(guild.id)
        pages = lists.paginate(
            [
                lists.Group(
                    "Local to your program",
                    messages.local_lines(local) or ["None yet: facilitators can `/resources add`."],
                )
            ],
            lines=crisis_lines(region, limit=len(region.resources)).splitlines(),
            title=f"Crisis resources ({region.name})",
        )
        await send_pages(interaction, [to_embed(p, colour=discord.Colour.red()) for p in pages])

    @resources_remove.autocomplete("name")
    async def _resource_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        local = await self.store.resources(interaction.guild_id or 0)
        return [
            app_commands.Choice(name=r.name, value=r.name)
            for r in local
            if current.lower() in r.name.lower()
        ][:25]

    # --- /crisis ---------------------------------------------------------------------

    @crisis.command(name="log", description="Recent alerts and what happened with each")
    @app_commands.describe(member="Only this person's alerts")
    async def crisis_log(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        alerts = await self.store.log(guild.id, member.id if member else None, LOG_LIMIT)
        if not alerts:
            await send_private(interaction, "No alerts yet.")
            return
        groups = []
        for alert in alerts:
            events = await self.store.events(alert.id)
            who = f"<@{alert.user_id}>" if alert.user_id else "(deleted)"
            groups.append(
                lists.Group(
                    f"#{alert.id} · {alert.level} · {messages.STATUS_TEXT[alert.status]}",
                    [who, *messages.history_lines(alert, events)],
                )
            )
        total = await self.store.count(guild.id, member.id if member else None)
        left_out = lists.omitted(len(alerts), total, "`member:` shows one person's")
        pages = lists.paginate(
            groups, title="Crisis alerts", footer=f"Newest first. {left_out}".strip()
        )
        await send_pages(interaction, to_embeds(pages, colour=discord.Colour.dark_red()))

    @crisis.command(name="export", description="Labelled examples (JSON lines) to tune the rules")
    async def crisis_export(self, interaction: discord.Interaction) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        rows = await self.store.feedback(guild.id)
        if not rows:
            await send_private(
                interaction,
                "No labelled examples yet (false alarms and alerts "
                'marked "I\'ve reached out" become examples).',
            )
            return
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
        await interaction.response.send_message(
            f"{len(rows)} labelled example(s). They contain message excerpts: keep the file "
            "private.",
            file=discord.File(io.BytesIO(body), filename="crisis-feedback.jsonl"),
            ephemeral=True,
        )

    @crisis.command(name="settings", description="How often unacknowledged alerts repeat")
    @app_commands.describe(realert_minutes="Minutes between reminders (default 10)")
    async def crisis_settings(
        self,
        interaction: discord.Interaction,
        realert_minutes: app_commands.Range[int, 1, 1440],
    ) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        await self.store.set_realert_minutes(guild.id, realert_minutes, self.bot.clock.now())
        await send_private(
            interaction,
            f"Unacknowledged crisis alerts now repeat every {realert_minutes} minute(s).",
        )

    @crisis.command(name="ack", description="Acknowledge an alert (when its buttons are gone)")
    @app_commands.describe(alert="The alert's number (#17), from the list")
    async def crisis_ack(self, interaction: discord.Interaction, alert: str) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        number = alert.strip().lstrip("#")
        found = await self.store.get(snowflake(number, "alert", what="an alert"))
        if found is None or found.guild_id != guild.id:
            raise UserError(
                f"There's no alert **{discord.utils.escape_markdown(alert[:20])}** on this server."
            )
        if found.status != "open":
            raise UserError(
                f"Alert #{found.id} is already {messages.STATUS_TEXT[found.status].lower()}."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        updated, line = await self._move(found, "acknowledged", interaction.user)
        await self.escalation.refresh(updated, status_line=line)
        await send_private(
            interaction, f"Alert #{found.id} acknowledged. Its reminders have stopped."
        )

    @crisis_ack.autocomplete("alert")
    async def _open_alerts(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        config = await self.bot.guild_configs.get(interaction.guild_id or 0)
        if not isinstance(interaction.user, discord.Member) or not member_is_facilitator(
            interaction.user, config
        ):
            return []  # names of people in crisis are for facilitators only
        guild = interaction.guild
        choices = []
        for alert in await self.store.open_alerts(interaction.guild_id or 0):
            if alert.status != "open":
                continue
            member = guild.get_member(alert.user_id or 0) if guild else None
            who = member.display_name if member else f"user {alert.user_id}"
            label = f"#{alert.id} · {alert.level} · {who} · {alert.created_at:%b %d %H:%M} UTC"
            if current.strip().lstrip("#") in label:
                choices.append(app_commands.Choice(name=label[:100], value=str(alert.id)))
        return choices[:25]
