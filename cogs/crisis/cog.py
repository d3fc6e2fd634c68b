"""Crisis detection and escalation: nobody in danger goes unseen.

Where it listens: messages (and edits) in cohort and alumni channels, DMs to the bot, and
whatever other features hand to `screen()` (check-in notes). Facilitators' and bots' messages
are not screened. When the detector flags something:

1. the person is reached at once, privately (DM; a short kind note in the channel if their
   DMs are closed), with the region's crisis lines, at most once per 30 minutes;
2. facilitators get an alert in the escalation channel (never rate-limited away); messages
   from the same person within 15 minutes join that alert's thread instead of a new alert;
3. a crisis alert nobody acknowledges is repeated every N minutes, mentioning the
   facilitator role. The schedule lives in the database, so restarts neither lose nor
   repeat a re-alert.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from re import Match
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import guild_of, member_is_facilitator, require_facilitator
from bot.client import LanternBot
from bot.errors import NotAuthorized, UserError
from bot.interactions import NO_PINGS, reports_errors, send_private
from bot.staff import staff_channel
from bot.storage.guilds import GuildConfig
from cogs.crisis import messages
from cogs.crisis.detector import Verdict, classify
from cogs.crisis.store import Alert, CrisisStore
from cogs.support.ground import coping_buttons
from cogs.support.plan import plan_embed, plan_is_shared, plan_view_button
from cogs.support.talk import open_talk_modal, talk_button

log = logging.getLogger(__name__)

OUTREACH_EVERY = timedelta(minutes=30)
GROUP_WINDOW = timedelta(minutes=15)
LEVELS = ("none", "concern", "crisis")
JOB_PREFIX = "crisis:realert:"


def stronger(a: str, b: str | None) -> str:
    return a if b is None or LEVELS.index(a) >= LEVELS.index(b) else b


def alert_view(
    alert_id: int, status: str, plan_owner: tuple[int, int] | None = None
) -> discord.ui.View | None:
    actions = {
        "open": ("ack", "reached", "false"),
        "acknowledged": ("reached", "close", "false"),
        "reached_out": ("close",),
    }.get(status, ())
    if not actions:
        return None
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(AlertButton(action, alert_id))
    if plan_owner is not None:  # support: the person shares their safety plan with staff
        view.add_item(plan_view_button(*plan_owner))
    return view


def person_view(alert_id: int, extra: Sequence[discord.ui.Item[Any]] = ()) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PersonButton("safe", alert_id))
    view.add_item(PersonButton("talk", alert_id))
    for item in extra:  # support: coping-tool buttons
        view.add_item(item)
    return view


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

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AlertButton, PersonButton, HelpButton)
        classify("warm-up")  # load and compile the rules now, not on someone's first message
        now = self.bot.clock.now()
        for alert in await self.store.due_realerts():
            if alert.next_realert_at is not None:
                self._schedule(alert.id, max(alert.next_realert_at, now), alert.next_realert_at)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AlertButton, PersonButton, HelpButton)
        self.bot.scheduler.remove_prefix(JOB_PREFIX)

    # --- where it listens ------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self._screen_message(message, "message")

    @commands.Cog.listener()
    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        if before.content != after.content:
            await self._screen_message(after, "edit")

    async def _screen_message(self, message: discord.Message, source: str) -> None:
        if message.author.bot or not message.content:
            return
        with self.bot.in_flight():
            await self._screen_message_now(message, source)

    async def _screen_message_now(self, message: discord.Message, source: str) -> None:
        if message.guild is None:
            guild = await self._home_guild(message.author.id)
            if guild is None:
                return
            member = guild.get_member(message.author.id)
            if member is not None:
                await self.screen(member, message.content, source="dm", message=message)
            return
        if not isinstance(message.author, discord.Member):
            return
        channel_id = getattr(message.channel, "parent_id", None) or message.channel.id
        if not await self._watched(message.guild.id, channel_id):
            return
        config = await self.bot.guild_configs.get(message.guild.id)
        if member_is_facilitator(message.author, config):
            return
        await self.screen(message.author, message.content, source=source, message=message)

    async def _watched(self, guild_id: int, channel_id: int) -> bool:
        row = await self.bot.db.fetch_one(
            "SELECT 1 FROM cohorts WHERE guild_id = :g AND status = 'active' AND :c IN "
            "(announcements_channel_id, group_channel_id, checkins_channel_id) "
            "UNION SELECT 1 FROM alumni_spaces WHERE guild_id = :g AND :c IN "
            "(lounge_channel_id, milestones_channel_id, ask_channel_id)",
            {"g": guild_id, "c": channel_id},
        )
        return row is not None

    async def _home_guild(self, user_id: int) -> discord.Guild | None:
        """For a DM: the configured server where the person is enrolled, else any shared one."""
        candidates = []
        for guild in self.bot.guilds:
            if guild.get_member(user_id) is None:
                continue
            config = await self.bot.guild_configs.get(guild.id)
            if config is None or not config.is_complete:
                continue
            enrolled = await self.bot.db.fetch_one(
                "SELECT 1 FROM enrollments WHERE guild_id = ? AND user_id = ? "
                "AND status IN ('pending_consent', 'active')",
                (guild.id, user_id),
            )
            candidates.append((enrolled is None, guild.id, guild))
        return min(candidates)[2] if candidates else None

    # --- the pipeline ----------------------------------------------------------------

    async def screen(
        self,
        member: discord.Member,
        text: str,
        *,
        source: str,
        jump_url: str | None = None,
        force_level: str | None = None,
        message: discord.Message | None = None,
    ) -> Verdict | None:
        """Classify `text` from `member` and escalate if needed. Never raises for Discord
        errors: a failure to reach the person must not stop the facilitator alert."""
        config = await self.bot.guild_configs.get(member.guild.id)
        if config is None or not config.is_complete:
            return None
        if len(text) > 1000:  # long texts take milliseconds; keep the event loop free
            verdict = await asyncio.to_thread(classify, text)
        else:
            verdict = classify(text)
        level = stronger(verdict.level, force_level)
        if level == "none":
            return verdict
        log.info(
            "crisis pipeline fired",
            extra={"guild_id": member.guild.id, "user_id": member.id, "level": level},
        )
        log.debug("flagged text: %s", text)
        # Reasons are stored without the matched words: those are the person's text, which
        # only lives (encrypted) in the excerpt.
        reasons = [
            {k: v for k, v in r.to_json().items() if k != "text"} for r in verdict.reasons
        ] or [{"rule": source, "label": f"flagged by {source.replace('_', ' ')}", "level": level}]
        # A DM's link opens nothing for facilitators; the excerpt is what they get.
        url = jump_url or (message.jump_url if message and message.guild else None)
        alert, announce = await self._raise_or_group(
            member, config, level, verdict.score, source, text, reasons, url, message
        )
        # Only the statistical safety net fired: facilitators get a quiet concern to look at,
        # but nobody is messaged about what may well be a figure of speech.
        model_only = force_level is None and all(r.category == "model" for r in verdict.reasons)
        if model_only:
            await announce
            return verdict
        # The person and the facilitators are reached side by side: neither waits for the
        # other's Discord calls (or their rate limits).
        await asyncio.gather(announce, self._reach_person(member, config, alert, message))
        return verdict

    async def _raise_or_group(
        self,
        member: discord.Member,
        config: GuildConfig,
        level: str,
        score: float,
        source: str,
        text: str,
        reasons: list[dict[str, Any]],
        url: str | None,
        message: discord.Message | None,
    ) -> tuple[Alert, Coroutine[Any, Any, None]]:
        """Record the alert (new, or this message joins the person's recent one) and arm its
        re-alert; returns it with the coroutine that tells facilitators."""
        now = self.bot.clock.now()
        current = await self.store.recent_open(member.guild.id, member.id, now - GROUP_WINDOW)
        if current is not None:
            await self.store.grouped(current.id, level, max(score, 0.0), now)
            updated = await self._load(current.id)
            if updated.level == "crisis" and updated.waiting and updated.next_realert_at is None:
                await self._arm_realert(updated, now)
            upgraded = level == "crisis" and current.level != "crisis"
            return updated, self._post_follow_up(
                member.guild, updated, text, url, upgraded=upgraded
            )
        alert_id = await self.store.create(
            guild_id=member.guild.id,
            user_id=member.id,
            level=level,
            score=score,
            source=source,
            channel_id=message.channel.id if message else None,
            message_id=message.id if message else None,
            jump_url=url,
            excerpt=messages.excerpt(text) if text else None,
            reasons=reasons,
            now=now,
        )
        alert = await self._load(alert_id)
        if level == "crisis":
            await self._arm_realert(alert, now)
        return alert, self._post_alert(member, config, alert)

    async def _alert_view(self, alert: Alert) -> discord.ui.View | None:
        """Support: a "View safety plan" button while the person shares their plan."""
        shared = alert.user_id is not None and await plan_is_shared(
            self.bot, alert.guild_id, alert.user_id
        )
        owner = (alert.guild_id, alert.user_id) if shared and alert.user_id else None
        return alert_view(alert.id, alert.status, owner)

    async def _load(self, alert_id: int) -> Alert:
        alert = await self.store.get(alert_id)
        if alert is None:
            raise RuntimeError(f"alert {alert_id} vanished right after being written")
        return alert

    async def _post_alert(self, member: discord.Member, config: GuildConfig, alert: Alert) -> None:
        guild = member.guild
        channel = staff_channel(guild, config, "escalation") or staff_channel(guild, config, "log")
        if channel is None:
            log.error(
                "no staff channel for a crisis alert; run /setup check",
                extra={"guild_id": guild.id, "alert_id": alert.id},
            )
            return
        role = guild.get_role(config.facilitator_role_id or 0)
        ping = role is not None and alert.level == "crisis"
        try:
            posted = await channel.send(
                content=role.mention if ping and role else None,
                embed=messages.alert_embed(alert, author=member.display_name),
                view=await self._alert_view(alert),
                allowed_mentions=discord.AllowedMentions(roles=[role])
                if ping and role
                else NO_PINGS,
            )
        except discord.HTTPException as exc:
            log.error(
                "could not post a crisis alert",
                extra={"guild_id": guild.id, "alert_id": alert.id, "status": exc.status},
            )
            return
        thread_id = None
        try:
            thread = await posted.create_thread(
                name=f"Alert #{alert.id}", auto_archive_duration=1440
            )
            thread_id = thread.id
        except discord.HTTPException:
            log.warning("could not open an alert thread", extra={"alert_id": alert.id})
        await self.store.posted(alert.id, channel.id, posted.id, thread_id)

    async def _post_follow_up(
        self, guild: discord.Guild, alert: Alert, text: str, url: str | None, *, upgraded: bool
    ) -> None:
        target = guild.get_thread(alert.thread_id or 0) if alert.thread_id else None
        if target is None:
            target = guild.get_channel(alert.alert_channel_id or 0)  # type: ignore[assignment]
        if not isinstance(target, discord.Thread | discord.TextChannel):
            return
        line = f"Another message ({alert.level}): > {messages.excerpt(text, 300)}"
        if url:
            line += f"\n{url}"
        config = await self.bot.guild_configs.get(guild.id)
        role = guild.get_role(config.facilitator_role_id or 0) if config else None
        if upgraded and role is not None:
            line = f"{role.mention} now a **crisis**. " + line
        try:
            await target.send(
                line[:2000],
                allowed_mentions=discord.AllowedMentions(roles=[role])
                if upgraded and role
                else NO_PINGS,
            )
        except discord.HTTPException as exc:
            log.warning("could not post an alert follow-up", extra={"status": exc.status})
        await self._refresh_alert(guild, alert)

    async def _refresh_alert(
        self, guild: discord.Guild, alert: Alert, status_line: str | None = None
    ) -> None:
        channel = guild.get_channel(alert.alert_channel_id or 0)
        if not isinstance(channel, discord.TextChannel) or alert.alert_message_id is None:
            return
        member = guild.get_member(alert.user_id or 0)
        author = member.display_name if member else f"user {alert.user_id}"
        try:
            await channel.get_partial_message(alert.alert_message_id).edit(
                embed=messages.alert_embed(alert, author=author, status_line=status_line),
                view=await self._alert_view(alert),
            )
        except discord.HTTPException as exc:
            log.warning("could not update an alert", extra={"status": exc.status})

    async def _reach_person(
        self,
        member: discord.Member,
        config: GuildConfig,
        alert: Alert,
        message: discord.Message | None,
    ) -> None:
        now = self.bot.clock.now()
        if not await self.store.claim_outreach(member.guild.id, member.id, now, OUTREACH_EVERY):
            return
        region = self.bot.resources.region(config.region)
        local = await self.store.resources(member.guild.id)
        # Support: the person's own safety plan leads, before the crisis lines.
        plan = await plan_embed(self.bot, member.guild.id, member.id)
        embeds = [
            *([plan] if plan else []),
            messages.support_embed(region, local, member.guild.name),
        ]
        try:
            await member.send(embeds=embeds, view=person_view(alert.id, coping_buttons(self.bot)))
            return
        except discord.Forbidden:
            log.info("person's DMs are closed; replying in channel", extra={"user_id": member.id})
        except discord.HTTPException as exc:
            log.warning("could not DM the person", extra={"status": exc.status})
        if message is not None and message.guild is not None:
            try:
                await message.reply(messages.channel_note(region), allowed_mentions=NO_PINGS)
            except discord.HTTPException as exc:
                log.warning("could not reply in channel", extra={"status": exc.status})

    # --- re-alerts -------------------------------------------------------------------

    async def _arm_realert(self, alert: Alert, now: datetime) -> None:
        minutes = await self.store.realert_minutes(alert.guild_id)
        due = now + timedelta(minutes=minutes)
        await self.store.schedule_realert(alert.id, due)
        self._schedule(alert.id, due, due)

    def _schedule(self, alert_id: int, run_at: datetime, due: datetime) -> None:
        # grace None: a re-alert due while the bot was down runs as soon as it is back.
        self.bot.scheduler.at(
            f"{JOB_PREFIX}{alert_id}",
            run_at,
            self.realert,
            alert_id,
            due.isoformat(),
            grace_seconds=None,
        )

    async def realert(self, alert_id: int, due_iso: str) -> None:
        # Rebuilt jobs may fire during start-up, before the server is known: wait for it.
        await self.bot.wait_until_ready()
        alert = await self.store.get(alert_id)
        if alert is None or not alert.waiting:
            return
        guild = self.bot.get_guild(alert.guild_id)
        now = self.bot.clock.now()
        minutes = await self.store.realert_minutes(alert.guild_id)
        next_at = now + timedelta(minutes=minutes)
        if guild is None or not await self.store.claim_realert(
            alert_id, datetime.fromisoformat(due_iso), next_at, now
        ):
            return
        self._schedule(alert_id, next_at, next_at)
        config = await self.bot.guild_configs.get(guild.id)
        channel = guild.get_channel(alert.alert_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            channel = staff_channel(guild, config, "escalation")
        role = guild.get_role(config.facilitator_role_id or 0) if config else None
        if channel is None:
            log.error("nowhere to repeat a crisis alert", extra={"alert_id": alert_id})
            return
        link = (
            f"https://discord.com/channels/{guild.id}/{alert.alert_channel_id}/"
            f"{alert.alert_message_id}"
        )
        text = (
            f"{role.mention if role else ''} ⏰ Crisis alert #{alert.id} for <@{alert.user_id}> "
            f"is still waiting for someone ({alert.realerts + 1} reminder"
            f"{'s' if alert.realerts else ''}). Please acknowledge it: {link}"
        ).strip()
        try:
            await channel.send(
                text,
                allowed_mentions=discord.AllowedMentions(roles=[role]) if role else NO_PINGS,
            )
        except discord.HTTPException as exc:
            log.error(
                "could not repeat a crisis alert",
                extra={"alert_id": alert_id, "status": exc.status},
            )

    # --- buttons ---------------------------------------------------------------------

    async def alert_action(
        self, interaction: discord.Interaction, action: str, alert_id: int
    ) -> None:
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        if not isinstance(interaction.user, discord.Member) or not member_is_facilitator(
            interaction.user, config
        ):
            raise NotAuthorized("Only facilitators can act on alerts.")
        alert = await self.store.get(alert_id)
        if alert is None or alert.guild_id != guild.id:
            raise UserError("That alert no longer exists.")
        status = {
            "ack": "acknowledged",
            "reached": "reached_out",
            "close": "closed",
            "false": "false_alarm",
        }[action]
        if alert.status in ("closed", "false_alarm"):
            raise UserError(f"This alert is already {messages.STATUS_TEXT[alert.status].lower()}.")
        await interaction.response.defer()
        now = self.bot.clock.now()
        updated = await self.store.set_status(alert.id, status, interaction.user.id, now)
        self.bot.scheduler.remove(f"{JOB_PREFIX}{alert.id}")
        if status == "false_alarm":
            await self.store.add_feedback(alert, "none", interaction.user.id, now)
        elif status == "reached_out":
            await self.store.add_feedback(alert, alert.level, interaction.user.id, now)
        who = interaction.user.mention
        line = f"{messages.STATUS_TEXT[status]} by {who} {messages.timestamp(now)}"
        if updated is not None:
            member = guild.get_member(updated.user_id or 0)
            await interaction.edit_original_response(
                embed=messages.alert_embed(
                    updated,
                    author=member.display_name if member else f"user {updated.user_id}",
                    status_line=line,
                ),
                view=await self._alert_view(updated),
            )
        log.info("alert updated", extra={"alert_id": alert.id, "status": status})

    async def person_action(
        self, interaction: discord.Interaction, action: str, alert_id: int
    ) -> None:
        alert = await self.store.get(alert_id)
        if alert is None or alert.user_id != interaction.user.id:
            raise UserError("This message was meant for someone else.")
        guild = self.bot.get_guild(alert.guild_id)
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
            await self.store.note(alert.id, "person_safe", interaction.user.id, now)
            reply = (
                "Thank you for letting me know. I'm glad you're safe right now. If that "
                "changes, the lines above are there any time, and so is `/help-now`."
            )
            note = f"<@{alert.user_id}> pressed **I'm safe right now** {messages.timestamp(now)}."
        else:
            await self.store.note(alert.id, "person_wants_talk", interaction.user.id, now)
            reply = (
                "I've asked a facilitator to reach out to you. If you need someone sooner, "
                "the lines above answer any hour."
            )
            note = (
                f"<@{alert.user_id}> asked to **talk to a facilitator** {messages.timestamp(now)}."
            )
        if guild is not None:
            await self._notify_thread(guild, alert, note, ping=action == "talk")
        if not opened_talk:
            await send_private(interaction, reply)

    async def _notify_thread(
        self, guild: discord.Guild, alert: Alert, text: str, *, ping: bool
    ) -> None:
        target = guild.get_thread(alert.thread_id or 0) or guild.get_channel(
            alert.alert_channel_id or 0
        )
        if not isinstance(target, discord.Thread | discord.TextChannel):
            return
        config = await self.bot.guild_configs.get(guild.id)
        role = guild.get_role(config.facilitator_role_id or 0) if config else None
        if ping and role is not None:
            text = f"{role.mention} {text}"
        try:
            await target.send(
                text,
                allowed_mentions=discord.AllowedMentions(roles=[role])
                if ping and role
                else NO_PINGS,
            )
        except discord.HTTPException as exc:
            log.warning("could not post to an alert thread", extra={"status": exc.status})

    # --- /help-now -------------------------------------------------------------------

    @app_commands.command(name="help-now", description="Crisis lines right now, and a facilitator")
    async def help_now(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild or await self._home_guild(interaction.user.id)
        config = await self.bot.guild_configs.get(guild.id) if guild else None
        region = self.bot.resources.region(config.region if config else None)
        local = await self.store.resources(guild.id) if guild else []
        view = None
        if guild is not None and config is not None and config.is_complete:
            view = discord.ui.View(timeout=None)
            view.add_item(HelpButton(guild.id))
            view.add_item(talk_button(guild.id))  # support: a private conversation
        await send_private(interaction, embed=messages.help_now_embed(region, local), view=view)

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
        await send_private(
            interaction,
            "A facilitator has been alerted and will reach out to you. If you are in danger, "
            "please call a line above now: they answer any hour.",
        )

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
        if len(await self.store.resources(guild.id)) >= 10:
            raise UserError("A server can list at most 10 local resources. Remove one first.")
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
        embed = messages.help_now_embed(region, local)
        embed.title = f"Crisis resources ({region.name})"
        if not local:
            embed.add_field(name="Local", value="None yet: facilitators can `/resources add`.")
        await send_private(interaction, embed=embed)

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
        alerts = await self.store.log(guild.id, member.id if member else None)
        if not alerts:
            await send_private(interaction, "No alerts yet.")
            return
        embed = discord.Embed(title="Crisis alerts", colour=discord.Colour.dark_red())
        for alert in alerts:
            events = await self.store.events(alert.id)
            who = f"<@{alert.user_id}>" if alert.user_id else "(deleted)"
            embed.add_field(
                name=f"#{alert.id} · {alert.level} · {messages.STATUS_TEXT[alert.status]}",
                value=f"{who}\n{messages.history_text(alert, events)}"[:1024],
                inline=False,
            )
        await send_private(interaction, embed=embed)

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


class AlertButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:alert:(?P<action>ack|reached|close|false):(?P<alert>[0-9]+)",
):
    LABELS: ClassVar[dict[str, tuple[str, discord.ButtonStyle]]] = {
        "ack": ("Acknowledge", discord.ButtonStyle.primary),
        "reached": ("I've reached out", discord.ButtonStyle.success),
        "close": ("Close", discord.ButtonStyle.secondary),
        "false": ("False alarm", discord.ButtonStyle.secondary),
    }

    def __init__(self, action: str, alert_id: int) -> None:
        label, style = self.LABELS[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"lantern:alert:{action}:{alert_id}"
            )
        )
        self.action, self.alert_id = action, alert_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> AlertButton:
        return cls(match["action"], int(match["alert"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).alert_action(interaction, self.action, self.alert_id)


class PersonButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:crisis:(?P<action>safe|talk):(?P<alert>[0-9]+)",
):
    def __init__(self, action: str, alert_id: int) -> None:
        safe = action == "safe"
        super().__init__(
            discord.ui.Button(
                label="I'm safe right now" if safe else "Talk to a facilitator",
                style=discord.ButtonStyle.success if safe else discord.ButtonStyle.primary,
                custom_id=f"lantern:crisis:{action}:{alert_id}",
            )
        )
        self.action, self.alert_id = action, alert_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> PersonButton:
        return cls(match["action"], int(match["alert"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).person_action(interaction, self.action, self.alert_id)


class HelpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:helpnow:(?P<guild>[0-9]+)",
):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Alert a facilitator",
                style=discord.ButtonStyle.danger,
                custom_id=f"lantern:helpnow:{guild_id}",
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> HelpButton:
        return cls(int(match["guild"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).help_requested(interaction, self.guild_id)


def _cog(interaction: discord.Interaction) -> Crisis:
    cog = interaction.client.get_cog("Crisis")  # type: ignore[attr-defined]
    if not isinstance(cog, Crisis):
        raise UserError("Crisis support is restarting. Please call a crisis line if you need one.")
    return cog
