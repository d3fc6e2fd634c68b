"""Moderation basics: "Report to facilitators", `/mod timeout|untimeout|purge|history`.

Every action is authorised here (facilitator role or Manage Server), recorded in the
`mod_actions` table and posted to the moderation-log channel without pinging anyone.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import inputs, lists
from bot.buttons import PersistentButton
from bot.checks import guild_of, member_is_facilitator, require_facilitator
from bot.client import LanternBot
from bot.cogs import loaded_cog
from bot.confirm import Confirm, ask
from bot.errors import NotAuthorized, UserError
from bot.interactions import NO_PINGS, LanternModal, send_private
from bot.outbox import URGENT, Item, Landed, Undeliverable, is_permanent
from bot.pages import send_pages, to_embeds
from bot.staff import post_log, staff_channel
from cogs.cohorts import api as cohorts_api
from cogs.moderation import logic
from cogs.moderation.api import NOTICE_KIND
from cogs.moderation.store import ModerationStore, Report

log = logging.getLogger(__name__)

REPORT_ACTIONS = {
    "dismiss": ("Dismiss", discord.ButtonStyle.secondary),
    "delete": ("Delete message", discord.ButtonStyle.danger),
    "timeout": ("Time out author", discord.ButtonStyle.danger),
    "thread": ("Talk to reporter", discord.ButtonStyle.primary),
}


def report_view(report_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in REPORT_ACTIONS:
        view.add_item(ReportButton(action, report_id))
    return view


REPORT = NOTICE_KIND


class Moderation(commands.Cog):
    mod = app_commands.Group(name="mod", description="Moderation (facilitators)", guild_only=True)

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = ModerationStore(bot.db, bot.cipher)
        self.report_menu = app_commands.ContextMenu(
            name="Report to facilitators", callback=self.report_message
        )
        self.report_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.report_menu)
        self.bot.add_dynamic_items(ReportButton)
        self.bot.outbox.register(REPORT, self.deliver_report, URGENT)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)
        self.bot.remove_dynamic_items(ReportButton)
        self.bot.outbox.unregister(REPORT)

    async def _record(
        self, interaction: discord.Interaction, action: str, text: str, **fields: Any
    ) -> None:
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

    # --- report a message ------------------------------------------------------------

    async def report_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        if self.bot.user is not None and message.author.id == self.bot.user.id:
            raise UserError("That's one of my messages. Tell a facilitator directly if it's wrong.")
        log_channel = staff_channel(guild, config, "log")
        if log_channel is None:
            raise UserError(
                "Reports can't reach facilitators yet (no moderation-log channel). Please tell "
                "a facilitator directly."
            )
        excerpt = logic.excerpt(message.content or "(no text)")
        await interaction.response.defer(ephemeral=True, thinking=True)
        # The report and the notice that must reach facilitators are written together; the
        # outbox posts it (and retries) even if Discord fails right now.
        async with self.bot.db.transaction():
            report_id = await self.store.add_report(
                guild_id=guild.id,
                reporter_id=interaction.user.id,
                author_id=message.author.id,
                channel_id=message.channel.id,
                message_id=message.id,
                excerpt=excerpt,
                now=self.bot.clock.now(),
            )
            if report_id is not None:
                await self.bot.outbox.enqueue(REPORT, report_id, guild_id=guild.id)
        if report_id is None:
            await send_private(interaction, "You already reported this message. Thank you.")
            return
        log.info("message reported", extra={"guild_id": guild.id, "report_id": report_id})
        await send_private(
            interaction,
            "Thank you. Your report is on its way to the facilitators, privately. The author "
            "doesn't know who reported it.",
        )

    async def deliver_report(self, item: Item) -> Landed | None:
        """The outbox's handler: the report, with its buttons, in the moderation log (or
        the escalation channel if the log refuses)."""
        report = await self.store.report(item.subject_id)
        if report is None:
            return None
        if report.alert_message_id is not None:
            return Landed("log", None, report.alert_message_id)  # posted before a crash
        guild = self.bot.get_guild(report.guild_id)
        config = await self.bot.guild_configs.get(report.guild_id)
        if guild is None or config is None:
            return None
        embed = discord.Embed(
            title="Message reported",
            description=f"> {report.excerpt}",
            colour=discord.Colour.orange(),
        )
        embed.add_field(
            name="Author", value=f"<@{report.author_id}>" if report.author_id else "(deleted)"
        )
        embed.add_field(name="Reported by", value=f"<@{report.reporter_id}>")
        link = f"https://discord.com/channels/{guild.id}/{report.channel_id}/{report.message_id}"
        embed.add_field(name="Message", value=f"[Jump to message]({link})")
        embed.set_footer(text=f"Report #{report.id}")
        refused = []
        for kind in ("log", "escalation"):
            channel = staff_channel(guild, config, kind)
            if channel is None:
                continue
            try:
                posted = await channel.send(
                    embed=embed,
                    view=report_view(report.id),
                    allowed_mentions=NO_PINGS,
                    nonce=item.nonce(),
                )
            except discord.HTTPException as error:
                if not is_permanent(error):
                    raise  # the outbox retries
                refused.append(f"{kind}:{error.code or error.status}")
                continue
            await self.store.set_alert(report.id, posted.id)
            return Landed(kind, channel.id, posted.id)
        raise Undeliverable("no staff channel took the report: " + ", ".join(refused))

    async def act_on_report(
        self, interaction: discord.Interaction, action: str, report: Report
    ) -> None:
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        if not isinstance(interaction.user, discord.Member) or not member_is_facilitator(
            interaction.user, config
        ):
            raise NotAuthorized("Only facilitators can act on reports.")
        if action == "timeout" and report.author_id is None:
            raise UserError("The author's data was deleted at their request.")
        if action == "timeout":
            await interaction.response.send_modal(
                TimeoutModal(self, report.author_id or 0, report.id)
            )
            return
        channel = guild.get_channel_or_thread(report.channel_id)
        await interaction.response.defer(ephemeral=action == "thread", thinking=action == "thread")
        if action == "dismiss":
            await self.store.handle(
                report.id, "dismissed", interaction.user.id, self.bot.clock.now()
            )
            await self._close_alert(interaction, f"Dismissed by {interaction.user.mention}.")
        elif action == "delete":
            if not isinstance(channel, discord.TextChannel | discord.Thread):
                raise UserError("That channel no longer exists.")
            try:
                await channel.get_partial_message(report.message_id).delete()
            except discord.NotFound:
                raise UserError("That message was already deleted.") from None
            await self.store.handle(
                report.id, "actioned", interaction.user.id, self.bot.clock.now()
            )
            await self.store.record(
                guild_id=guild.id,
                actor_id=interaction.user.id,
                action="delete_message",
                now=self.bot.clock.now(),
                target_id=report.author_id,
                channel_id=report.channel_id,
                reason=f"report #{report.id}",
            )
            await self._close_alert(interaction, f"Message deleted by {interaction.user.mention}.")
        elif action == "thread":
            if not isinstance(channel, discord.TextChannel):
                raise UserError("I can only open a private thread in a text channel.")
            reporter = guild.get_member(report.reporter_id)
            if reporter is None:
                raise UserError("The reporter is no longer in the server.")
            thread = await channel.create_thread(
                name=f"About your report #{report.id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
                reason=f"Lantern: report #{report.id}",
            )
            await thread.add_user(reporter)
            await thread.add_user(discord.Object(interaction.user.id))
            await thread.send(
                f"{reporter.mention}, {interaction.user.mention} would like to talk about the "
                "message you reported. Only the two of you (and facilitators) can see this.",
                allowed_mentions=discord.AllowedMentions(users=[reporter]),
            )
            await self.store.handle(
                report.id, "investigating", interaction.user.id, self.bot.clock.now()
            )
            await send_private(interaction, f"Opened {thread.mention} with the reporter.")

    async def _close_alert(self, interaction: discord.Interaction, outcome: str) -> None:
        embed = (
            interaction.message.embeds[0]
            if interaction.message and interaction.message.embeds
            else None
        )
        if embed is not None:
            embed.colour = discord.Colour.dark_grey()
            embed.add_field(name="Outcome", value=outcome, inline=False)
        await interaction.edit_original_response(embed=embed, view=None)

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
        await self.apply_timeout(interaction, member, duration, reason)

    async def apply_timeout(
        self, interaction: discord.Interaction, member: discord.Member, duration: str, reason: str
    ) -> None:
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
        await self._record(
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

    @mod.command(name="untimeout", description="End someone's timeout early")
    @app_commands.describe(member="Who", reason="Why (optional)")
    async def untimeout(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        reason: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        await require_facilitator(interaction)
        if not member.is_timed_out():
            raise UserError(f"{member.mention} isn't timed out.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await member.timeout(None, reason=f"{interaction.user}: {reason or 'ended early'}")
        await self._record(
            interaction,
            "untimeout",
            f"{interaction.user.mention} ended {member.mention}'s timeout"
            + (f": {logic.excerpt(reason, 200)}" if reason else "."),
            target_id=member.id,
            reason=reason,
        )
        await send_private(interaction, f"{member.mention} can talk again.")

    @mod.command(name="purge", description="Delete the last n messages in this cohort channel")
    @app_commands.describe(n="How many recent messages (1-100)")
    async def purge(
        self, interaction: discord.Interaction, n: app_commands.Range[int, 1, 100]
    ) -> None:
        await require_facilitator(interaction)
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
        await self._record(
            interaction,
            "purge",
            f"{interaction.user.mention} deleted {len(deleted)} message(s) in {channel.mention}.",
            channel_id=channel.id,
            detail=str(len(deleted)),
        )
        await send_private(interaction, f"Deleted {len(deleted)} message(s).")

    @mod.command(name="history", description="Moderation actions about someone")
    @app_commands.describe(member="Who")
    async def history(self, interaction: discord.Interaction, member: discord.User) -> None:
        await require_facilitator(interaction)
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


class ReportButton(
    PersistentButton,
    template=r"lantern:report:(?P<action>dismiss|delete|timeout|thread):(?P<report_id>[0-9]+)",
):
    def __init__(self, action: str, report_id: int) -> None:
        label, style = REPORT_ACTIONS[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"lantern:report:{action}:{report_id}"
            )
        )
        self.action, self.report_id = action, report_id

    async def run(self, interaction: discord.Interaction) -> None:
        cog = loaded_cog(interaction.client, Moderation)
        report = await cog.store.report(self.report_id) if cog else None
        if cog is None or report is None:
            raise UserError("That report no longer exists.")
        await cog.act_on_report(interaction, self.action, report)


class TimeoutModal(LanternModal, title="Time out the author"):
    def __init__(self, cog: Moderation, author_id: int, report_id: int) -> None:
        super().__init__()
        self.cog, self.author_id, self.report_id = cog, author_id, report_id
        self.duration: discord.ui.TextInput[TimeoutModal] = discord.ui.TextInput(
            label="Duration (e.g. 10m, 1h, 1d)", default="1h", max_length=10, custom_id="duration"
        )
        self.reason: discord.ui.TextInput[TimeoutModal] = discord.ui.TextInput(
            label="Reason",
            default=f"Reported message (report #{report_id})",
            max_length=300,
            custom_id="reason",
        )
        self.add_item(self.duration)
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        member = guild.get_member(self.author_id)
        if member is None:
            raise UserError("The author is no longer in the server.")
        await self.cog.apply_timeout(interaction, member, self.duration.value, self.reason.value)
        await self.cog.store.handle(
            self.report_id, "actioned", interaction.user.id, self.cog.bot.clock.now()
        )
