"""Message reports: "Report to facilitators" writes the report and its notice together, the
outbox posts the notice (with its buttons) to the moderation log, and the buttons act on it
(dismiss, delete the message, time the author out, talk to the reporter)."""

from __future__ import annotations

import logging

import discord

from bot.checks import guild_of, member_is_facilitator, require_facilitator
from bot.client import LanternBot
from bot.errors import NotAuthorized, UserError
from bot.interactions import NO_PINGS, send_private
from bot.outbox import Item, Landed, Undeliverable, is_permanent
from bot.staff import staff_channel
from cogs.moderation import logic
from cogs.moderation.actions import ModActions
from cogs.moderation.api import NOTICE_KIND
from cogs.moderation.store import ModerationStore, Report
from cogs.moderation.views import TimeoutModal, report_view

log = logging.getLogger("cogs.moderation.cog")  # the name the report logs always had

REPORT = NOTICE_KIND


class Reports:
    def __init__(self, bot: LanternBot, store: ModerationStore, actions: ModActions) -> None:
        self.bot = bot
        self.store = store
        self.actions = actions

    async def submit(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The context menu: record the report; facilitators hear of it through the outbox."""
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

    async def deliver(self, item: Item) -> Landed | None:
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

    async def act(self, interaction: discord.Interaction, action: str, report: Report) -> None:
        """A facilitator pressed one of the report's buttons."""
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
            await _close_alert(interaction, f"Dismissed by {interaction.user.mention}.")
        elif action == "delete":
            await self._delete_message(interaction, guild, channel, report)
        elif action == "thread":
            await self._talk_to_reporter(interaction, guild, channel, report)

    async def _delete_message(
        self,
        interaction: discord.Interaction,
        guild: discord.Guild,
        channel: discord.abc.GuildChannel | discord.Thread | None,
        report: Report,
    ) -> None:
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise UserError("That channel no longer exists.")
        try:
            await channel.get_partial_message(report.message_id).delete()
        except discord.NotFound:
            raise UserError("That message was already deleted.") from None
        await self.store.handle(report.id, "actioned", interaction.user.id, self.bot.clock.now())
        await self.store.record(
            guild_id=guild.id,
            actor_id=interaction.user.id,
            action="delete_message",
            now=self.bot.clock.now(),
            target_id=report.author_id,
            channel_id=report.channel_id,
            reason=f"report #{report.id}",
        )
        await _close_alert(interaction, f"Message deleted by {interaction.user.mention}.")

    async def _talk_to_reporter(
        self,
        interaction: discord.Interaction,
        guild: discord.Guild,
        channel: discord.abc.GuildChannel | discord.Thread | None,
        report: Report,
    ) -> None:
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

    async def timeout_author(
        self,
        interaction: discord.Interaction,
        author_id: int,
        report_id: int,
        duration: str,
        reason: str,
    ) -> None:
        """The "Time out author" modal was submitted."""
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        member = guild.get_member(author_id)
        if member is None:
            raise UserError("The author is no longer in the server.")
        await self.actions.apply_timeout(interaction, member, duration, reason)
        await self.store.handle(report_id, "actioned", interaction.user.id, self.bot.clock.now())


async def _close_alert(interaction: discord.Interaction, outcome: str) -> None:
    """Grey the report's notice, note the outcome, and take its buttons away."""
    embed = (
        interaction.message.embeds[0]
        if interaction.message and interaction.message.embeds
        else None
    )
    if embed is not None:
        embed.colour = discord.Colour.dark_grey()
        embed.add_field(name="Outcome", value=outcome, inline=False)
    await interaction.edit_original_response(embed=embed, view=None)
