"""Private conversations with facilitators: `/talk`, claim / note / close, and
`/conversation log`. Facilitators are told in the escalation channel, with the topic and a
link, never the words.

TalkCog holds the commands and listeners and delegates to the objects it owns: opening a
conversation (talk_open.py), where a conversation lives (talk_spaces.py), the staff notice
(talk_notice.py) and re-announcing conversations nobody has answered (talk_reannounce.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists
from bot.checks import guild_of
from bot.errors import NotAuthorized, NotConfigured, UserError
from bot.inputs import has_visible
from bot.interactions import send_private
from bot.pages import send_pages, to_embeds
from cogs.cohorts.api import reach_of, require_person_in_reach, require_reach
from cogs.support import texts
from cogs.support.conversation_store import Conversation, ConversationStore
from cogs.support.settings_store import SettingsStore
from cogs.support.talk_notice import StaffNotice, status_text
from cogs.support.talk_open import ConversationOpener
from cogs.support.talk_reannounce import JOB_PREFIX, Reannouncer
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


class TalkCog(commands.Cog, name="Talk"):
    conversation = app_commands.Group(
        name="conversation",
        description="Private conversations with participants (facilitators)",
        guild_only=True,
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = ConversationStore(bot.db, bot.cipher)
        settings = SettingsStore(bot.db)
        self.spaces = TalkSpaces(self.store, settings, bot.clock)
        self.notice = StaffNotice(self.store)
        self.reannouncer = Reannouncer(bot, self.store, settings, self.notice.refresh)
        self.opener = ConversationOpener(
            bot, self.store, settings, self.spaces, self.notice, self.reannouncer
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ConversationButton, TalkStartButton)
        await self.spaces.load()
        await self.reannouncer.start()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ConversationButton, TalkStartButton)
        self.reannouncer.stop()

    @commands.Cog.listener()
    async def on_lantern_shards_changed(self, added: set[int], removed: set[int]) -> None:
        """Servers taken over from a process that stopped: re-announce from here."""
        if added:
            await self.reannouncer.start()

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
        await self.opener.submitted(interaction, guild_id, topic, text, origin, alert_id)

    # --- staff actions -----------------------------------------------------------------

    async def _staff(self, interaction: discord.Interaction, conversation_id: int) -> Conversation:
        """Program staff, or the care team of a cohort the person is (or was) in."""
        guild = guild_of(interaction)
        config = await self.bot.guild_configs.get(guild.id)
        if not isinstance(interaction.user, discord.Member):
            raise NotAuthorized("Only facilitators can do this.")
        reach = await reach_of(self.bot.db, interaction.user, config)
        if not reach.any:
            raise NotAuthorized("Only facilitators can do this.")
        conversation = await self.store.conversation(conversation_id)
        if conversation is None or conversation.guild_id != guild.id:
            raise UserError("That conversation no longer exists.")
        await require_person_in_reach(self.bot.db, reach, guild.id, conversation.user_id)
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
        space = self.spaces.find(interaction.guild, conversation)
        if space is not None and isinstance(interaction.user, discord.Member):
            # Someone who joined the team after it opened must be able to see it too.
            await self.spaces.admit(space, interaction.user)
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
            await self.notice.refresh(interaction.guild, updated, interaction)
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
        await self.notice.refresh(interaction.guild, conversation, interaction)
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
        await self.notice.refresh(interaction.guild, updated, interaction)
        log.info("conversation closed", extra={"conversation_id": conversation_id})

    async def _wind_down(
        self, guild: discord.Guild | None, conversation: Conversation, line: str
    ) -> None:
        self.reannouncer.cancel(conversation.id)
        await self.spaces.wind_down(guild, conversation, line)

    # --- messages in a conversation ------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if (
            message.guild is None
            or message.author.bot
            or not self.spaces.holds_open(message.channel.id)
        ):
            return
        conversation = await self.store.by_space(message.channel.id)
        if conversation is None or not conversation.open:
            return
        await self.reannouncer.message_in(message, conversation)

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
        await self.notice.refresh(guild, updated)
        log.info("conversation closed: person left", extra={"conversation_id": conversation.id})

    # --- /conversation log ---------------------------------------------------------------

    @conversation.command(name="log", description="A member's past conversations and outcomes")
    @app_commands.describe(member="Whose conversations")
    async def log_member(self, interaction: discord.Interaction, member: discord.User) -> None:
        _, reach = await require_reach(interaction)
        guild = guild_of(interaction)
        await require_person_in_reach(self.bot.db, reach, guild.id, member.id)
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


async def open_talk_modal(
    interaction: discord.Interaction, guild_id: int, *, origin: str, alert_id: int | None = None
) -> None:
    """For other features' buttons (the crisis message): answer with the /talk modal."""
    talk_cog(interaction)
    await interaction.response.send_modal(TalkModal(guild_id, origin, alert_id, topic="hard"))


def talk_button(guild_id: int) -> discord.ui.Item[discord.ui.View]:
    """The "Talk to a facilitator" button for /help-now."""
    return TalkStartButton(guild_id)
