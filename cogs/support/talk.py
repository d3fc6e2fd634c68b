"""Private conversations with facilitators: `/talk`, claim / note / close, and
`/conversation log`. Facilitators are told in the escalation channel, with the topic and a
link, never the words.

Where a conversation lives (a private thread, or a private channel as a fallback) is in
talk_spaces.py; re-announcing conversations nobody has answered is in talk_reannounce.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists
from bot.checks import guild_of, member_is_facilitator, require_facilitator
from bot.errors import NotAuthorized, NotConfigured, UserError
from bot.inputs import has_visible
from bot.interactions import NO_PINGS, send_private
from bot.pages import fit_beside, send_pages, to_embeds
from bot.staff import staff_channel
from bot.storage.guilds import GuildConfig
from cogs.crisis import api as crisis_api
from cogs.support import texts
from cogs.support.hours import is_staffed, next_staffed
from cogs.support.plan import plan_embed
from cogs.support.store import Conversation, SupportStore
from cogs.support.talk_reannounce import JOB_PREFIX, Reannouncement
from cogs.support.talk_spaces import (
    CHANNEL_NAME,
    CHANNEL_TOPIC,
    TalkSpaces,
    private_overwrites,
    talk_overwrites,
)
from cogs.support.talk_views import (
    CloseModal,
    ConversationButton,
    NoteModal,
    TalkModal,
    TalkStartButton,
    notice_embed,
    notice_view,
    status_text,
    talk_cog,
)

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

# Defined with the code that uses them; still importable from here.
__all__ = [
    "CHANNEL_NAME",
    "CHANNEL_TOPIC",
    "JOB_PREFIX",
    "TalkCog",
    "open_talk_modal",
    "private_overwrites",
    "talk_button",
    "talk_overwrites",
]


class TalkCog(Reannouncement, TalkSpaces, commands.Cog, name="Talk"):
    conversation = app_commands.Group(
        name="conversation",
        description="Private conversations with participants (facilitators)",
        guild_only=True,
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = SupportStore(bot.db, bot.cipher)
        self._channel_lock = asyncio.Lock()
        # Ids of open conversations' threads/channels: messages elsewhere cost no query.
        self._spaces: set[int] = set()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConversationButton, TalkStartButton)
        rows = await self.bot.db.fetch_all(
            "SELECT space_id FROM conversations WHERE status = 'open' AND space_id IS NOT NULL"
        )
        self._spaces = {int(r[0]) for r in rows}
        now = self.bot.clock.now()
        for conversation in await self.store.due_reannouncements():
            due = conversation.next_reannounce_at
            if due is not None:
                self._schedule(conversation.id, max(due, now), due)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConversationButton, TalkStartButton)
        self.bot.scheduler.remove_prefix(JOB_PREFIX)

    # --- /talk -----------------------------------------------------------------------

    @app_commands.command(name="talk", description="Talk privately with a facilitator")
    @app_commands.guild_only()
    async def talk(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        if config is None or not config.is_complete:
            raise NotConfigured()
        await interaction.response.send_modal(TalkModal(guild.id, "command"))

    async def submitted(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        topic: str,
        text: str,
        origin: str,
        alert_id: int | None,
    ) -> None:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(interaction.user.id) if guild else None
        if guild is None or member is None:
            raise UserError(
                "I couldn't find you in the program's server, so I can't open a conversation. "
                "If you need someone now, please call one of the crisis lines."
            )
        config = await self.bot.guild_configs.get(guild.id)
        if config is None or not config.is_complete:
            raise NotConfigured()
        text = text.strip()
        if topic not in texts.TOPICS:
            raise UserError("Please choose what it's about. Nothing was sent.")
        if not has_visible(text):  # also zero-width-only text, which shows as nothing
            raise UserError(f"`message`: {texts.NO_FIRST_MESSAGE}")
        # Creating a channel or thread can outlast Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        with self.bot.in_flight():
            await self._open(interaction, guild, config, member, topic, text, origin, alert_id)

    async def _open(
        self,
        interaction: discord.Interaction,
        guild: discord.Guild,
        config: GuildConfig,
        member: discord.Member,
        topic: str,
        text: str,
        origin: str,
        alert_id: int | None,
    ) -> None:
        now = self.bot.clock.now()
        windows, zone = await self.store.hours(guild.id)
        zone = zone or config.timezone or "UTC"
        staffed = is_staffed(windows, zone, now)
        next_at = next_staffed(windows, zone, now)
        conversation_id = await self.store.create(
            guild_id=guild.id,
            user_id=member.id,
            topic=topic,
            origin=origin,
            alert_id=alert_id,
            out_of_hours=not staffed,
            now=now,
        )
        if conversation_id is None:  # one is open already: add to it instead
            await self._add_to_open(interaction, guild, member, topic, text)
            return
        try:
            kind, space = await self._open_space(guild, config, member, conversation_id)
        except discord.HTTPException as exc:
            await self.store.discard(conversation_id)
            log.warning(
                "could not open a conversation space",
                extra={"guild_id": guild.id, "status": exc.status, "code": exc.code},
            )
            raise UserError(
                "I couldn't open a private conversation (Discord refused). Nothing was sent. "
                "Please tell a facilitator, and if you need someone now, use `/help-now`."
            ) from None
        self._spaces.add(space.id)
        await space.send(
            texts.opening_line(member.mention, not staffed, next_at),
            embed=texts.opening_embed(topic, text, member.display_name),
            allowed_mentions=discord.AllowedMentions(users=[member]),
        )
        conversation = await self._load(conversation_id)
        notice = await self._notify_staff(guild, config, conversation, member, ping=staffed)
        await self.store.placed(conversation_id, kind, space.id, notice)
        await self._arm(await self._load(conversation_id), now)
        log.info(
            "conversation opened",
            extra={"guild_id": guild.id, "conversation_id": conversation_id, "space": kind},
        )
        log.debug("conversation first message: %s", text)
        embeds = [
            texts.person_reply(space.mention, staffed=staffed, next_at=next_at, windows=windows)
        ]
        if not staffed:  # out of hours: the crisis lines and their own plan come first
            plan = await plan_embed(self.bot, guild.id, member.id)
            lines = texts.crisis_lines_embed(self.bot.resources.region(config.region))
            if plan is not None:  # one message holds 6,000 characters: the plan gives way
                plan = fit_beside(plan, [lines, *embeds], "`/safetyplan show` has all of it.")
            embeds = [lines, *([plan] if plan else []), *embeds]
        # Screened before answering: if the answer can't be sent (an expired token), the
        # message must still reach the crisis pipeline.
        await self._screen(member, text, space)
        await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _screen(
        self, member: discord.Member, text: str, space: discord.abc.GuildChannel
    ) -> None:
        """Run the first message through the crisis pipeline too: at 3 am, a conversation
        that says someone is in danger must reach the crisis lines and the alert at once."""
        try:
            await crisis_api.screen(self.bot, member, text, source="talk", jump_url=space.jump_url)
        except Exception:  # the conversation is open; screening must not undo that
            log.exception("could not screen a conversation's first message")

    async def _add_to_open(
        self,
        interaction: discord.Interaction,
        guild: discord.Guild,
        member: discord.Member,
        topic: str,
        text: str,
    ) -> None:
        current = await self.store.open_for(guild.id, member.id)
        space = guild.get_channel_or_thread(current.space_id or 0) if current else None
        if current is None or not isinstance(space, discord.Thread | discord.TextChannel):
            raise UserError(
                "You already have a conversation open, but I can't find it on Discord. Please "
                "try again in a minute, or tell a facilitator."
            )
        await space.send(
            embed=texts.added_embed(topic, text, member.display_name), allowed_mentions=NO_PINGS
        )
        now = self.bot.clock.now()
        await self.store.note(current.id, "added", member.id, now)
        if await self.store.person_wrote(current.id, now):
            await self._arm(await self._load(current.id), now)
        await send_private(
            interaction,
            f"You already have a conversation open, so I added this to it: {space.mention}.",
        )

    async def _notify_staff(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        conversation: Conversation,
        member: discord.Member,
        *,
        ping: bool,
    ) -> tuple[int, int] | None:
        channel = staff_channel(guild, config, "escalation") or staff_channel(guild, config, "log")
        role = guild.get_role(config.facilitator_role_id or 0)
        if channel is None:
            log.error("no staff channel for a new conversation; run /setup check")
            return None
        ping = ping and role is not None
        try:
            posted = await channel.send(
                content=f"{role.mention} a new private conversation." if ping and role else None,
                embed=notice_embed(conversation, member.display_name),
                view=notice_view(conversation),
                allowed_mentions=discord.AllowedMentions(roles=[role])
                if ping and role
                else NO_PINGS,
            )
        except discord.HTTPException as exc:
            log.error(
                "could not notify facilitators of a conversation", extra={"status": exc.status}
            )
            return None
        return channel.id, posted.id

    # --- staff actions -----------------------------------------------------------------

    async def _staff(self, interaction: discord.Interaction, conversation_id: int) -> Conversation:
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        if not isinstance(interaction.user, discord.Member) or not member_is_facilitator(
            interaction.user, config
        ):
            raise NotAuthorized("Only facilitators can do this.")
        conversation = await self.store.conversation(conversation_id)
        if conversation is None or conversation.guild_id != guild.id:
            raise UserError("That conversation no longer exists.")
        return conversation

    async def staff_action(
        self, interaction: discord.Interaction, action: str, conversation_id: int
    ) -> None:
        conversation = await self._staff(interaction, conversation_id)
        if action == "note":
            await interaction.response.send_modal(NoteModal(conversation_id))
            return
        if not conversation.open:
            raise UserError("This conversation is already closed.")
        if action == "close":
            await interaction.response.send_modal(CloseModal(conversation_id))
            return
        # claim
        now = self.bot.clock.now()
        updated = await self.store.claim(conversation_id, interaction.user.id, now)
        await interaction.response.defer()
        space = self._space(interaction.guild, conversation)
        if space is not None:
            try:
                await space.send(
                    texts.claimed_line(f"<@{conversation.user_id}>", interaction.user.display_name),
                    allowed_mentions=discord.AllowedMentions(
                        users=[discord.Object(conversation.user_id)]
                    ),
                )
            except discord.HTTPException as exc:
                log.warning("could not post a claim", extra={"status": exc.status})
        if updated is not None:
            await self._refresh_notice(interaction.guild, updated, interaction)
        log.info("conversation claimed", extra={"conversation_id": conversation_id})

    async def noted(
        self, interaction: discord.Interaction, conversation_id: int, note: str
    ) -> None:
        conversation = await self._staff(interaction, conversation_id)
        if not has_visible(note):
            raise UserError("`note`: The note was empty, so nothing was saved.")
        await self.store.add_note(
            conversation_id, interaction.user.id, note.strip(), self.bot.clock.now()
        )
        await interaction.response.defer()
        await self._refresh_notice(interaction.guild, conversation, interaction)
        log.info("conversation note added", extra={"conversation_id": conversation_id})

    async def closed(
        self, interaction: discord.Interaction, conversation_id: int, reason: str
    ) -> None:
        await self._staff(interaction, conversation_id)
        reason = " ".join(reason.split())
        if len(reason) < 3:
            raise UserError("Please give a short reason for closing (facilitators only see it).")
        updated = await self.store.close(
            conversation_id, interaction.user.id, reason, self.bot.clock.now()
        )
        if updated is None:
            raise UserError("This conversation is already closed.")
        await interaction.response.defer()
        await self._wind_down(
            interaction.guild,
            updated,
            texts.closed_line(f"<@{updated.user_id}>", interaction.user.display_name),
        )
        await self._refresh_notice(interaction.guild, updated, interaction)
        log.info("conversation closed", extra={"conversation_id": conversation_id})

    async def _wind_down(
        self, guild: discord.Guild | None, conversation: Conversation, line: str
    ) -> None:
        """Tell the person (in the conversation itself: it works with DMs closed), then lock
        it so it stays readable but quiet."""
        self.bot.scheduler.remove(f"{JOB_PREFIX}{conversation.id}")
        self._spaces.discard(conversation.space_id or 0)
        space = self._space(guild, conversation)
        if space is None:
            return
        try:
            await space.send(
                line,
                allowed_mentions=discord.AllowedMentions(
                    users=[discord.Object(conversation.user_id)]
                ),
            )
            if isinstance(space, discord.Thread):
                await space.edit(archived=True, locked=True, reason="Lantern: conversation closed")
            elif (person := space.guild.get_member(conversation.user_id)) is not None:
                await space.set_permissions(
                    person,
                    view_channel=True,
                    send_messages=False,
                    read_message_history=True,
                    reason="Lantern: conversation closed",
                )
        except discord.HTTPException as exc:
            log.warning("could not wind down a conversation", extra={"status": exc.status})

    async def _refresh_notice(
        self,
        guild: discord.Guild | None,
        conversation: Conversation,
        interaction: discord.Interaction | None = None,
    ) -> None:
        current = await self.store.conversation(conversation.id) or conversation
        notes = [e for e in await self.store.events(conversation.id) if e.action == "note"]
        member = guild.get_member(current.user_id) if guild else None
        author = member.display_name if member else f"user {current.user_id}"
        embed, view = notice_embed(current, author, notes), notice_view(current)
        try:
            if (
                interaction is not None
                and interaction.message is not None
                and (interaction.message.id == current.notice_message_id)
            ):
                await interaction.edit_original_response(embed=embed, view=view)
                return
            channel = guild.get_channel(current.notice_channel_id or 0) if guild else None
            if isinstance(channel, discord.TextChannel) and current.notice_message_id:
                await channel.get_partial_message(current.notice_message_id).edit(
                    embed=embed, view=view
                )
        except discord.HTTPException as exc:
            log.warning("could not update a conversation notice", extra={"status": exc.status})

    # --- the person leaves ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        conversation = await self.store.open_for(payload.guild_id, payload.user.id)
        if conversation is None:
            return
        guild = self.bot.get_guild(payload.guild_id)
        updated = await self.store.close(
            conversation.id, None, "the person left the server", self.bot.clock.now()
        )
        if updated is None:
            return
        await self.store.note(conversation.id, "person_left", payload.user.id, self.bot.clock.now())
        await self._wind_down(guild, updated, texts.left_line(payload.user.display_name))
        await self._refresh_notice(guild, updated)
        log.info("conversation closed: person left", extra={"conversation_id": conversation.id})

    # --- /conversation log ---------------------------------------------------------------

    @conversation.command(name="log", description="A member's past conversations and outcomes")
    @app_commands.describe(member="Whose conversations")
    async def log_member(self, interaction: discord.Interaction, member: discord.User) -> None:
        await require_facilitator(interaction)
        guild = guild_of(interaction)
        past, total = await self.store.history(guild.id, member.id)
        if not past:
            await send_private(interaction, f"{member.mention} hasn't had a conversation yet.")
            return
        groups = []
        for item in past:
            events = await self.store.events(item.id)
            notes = [e for e in events if e.action == "note"]
            lines = [f"Opened {texts.when(item.opened_at, 'f')} · {texts.TOPICS[item.topic]}"]
            if item.claimed_by:
                lines.append(f"Claimed by <@{item.claimed_by}>")
            if item.first_reply_at:
                waited = int((item.first_reply_at - item.opened_at).total_seconds() // 60)
                lines.append(f"First reply after {waited} min")
            lines.append(status_text(item))
            lines += [f"📝 <@{n.actor_id}>: {n.detail}" for n in notes]
            groups.append(lists.Group(f"#{item.id} · {'open' if item.open else 'closed'}", lines))
        pages = lists.paginate(
            groups,
            title=f"Conversations with {member.display_name}",
            footer=lists.omitted(len(past), total, "their /mydata export holds every one"),
        )
        await send_pages(interaction, to_embeds(pages, colour=discord.Colour.blurple()))

    async def _load(self, conversation_id: int) -> Conversation:
        conversation = await self.store.conversation(conversation_id)
        if conversation is None:
            raise RuntimeError(f"conversation {conversation_id} vanished right after a write")
        return conversation


async def open_talk_modal(
    interaction: discord.Interaction, guild_id: int, *, origin: str, alert_id: int | None = None
) -> None:
    """For other features' buttons (the crisis message): answer with the /talk modal."""
    talk_cog(interaction)
    await interaction.response.send_modal(TalkModal(guild_id, origin, alert_id, topic="hard"))


def talk_button(guild_id: int) -> discord.ui.Item[discord.ui.View]:
    """The "Talk to a facilitator" button for /help-now."""
    return TalkStartButton(guild_id)
