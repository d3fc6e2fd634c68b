"""Opening a private conversation from the /talk modal: its space, the first message, the
staff notice, the first re-announcement, and an answer honest about staffed hours. A second
/talk while one is open adds to it instead."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.errors import NotConfigured, UserError
from bot.inputs import has_visible
from bot.interactions import NO_PINGS, send_private
from bot.pages import fit_beside
from bot.storage.guilds import GuildConfig
from cogs.cohorts.api import care_team_of
from cogs.crisis import api as crisis_api
from cogs.support import texts
from cogs.support.conversation_store import Conversation, ConversationStore
from cogs.support.hours import is_staffed, next_staffed
from cogs.support.plan_embeds import plan_embed
from cogs.support.plan_together_views import together_view
from cogs.support.settings_store import SettingsStore
from cogs.support.talk_notice import StaffNotice
from cogs.support.talk_reannounce import Reannouncer
from cogs.support.talk_spaces import TalkSpaces

if TYPE_CHECKING:
    from bot.client import LanternBot

# The logger keeps the name it had before talk.py was split.
log = logging.getLogger("cogs.support.talk")


class ConversationOpener:
    def __init__(
        self,
        bot: LanternBot,
        conversations: ConversationStore,
        settings: SettingsStore,
        spaces: TalkSpaces,
        notice: StaffNotice,
        reannouncer: Reannouncer,
    ) -> None:
        self._bot = bot
        self._conversations = conversations
        self._settings = settings
        self._spaces = spaces
        self._notice = notice
        self._reannouncer = reannouncer

    async def submitted(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        topic: str,
        text: str,
        origin: str,
        alert_id: int | None,
    ) -> None:
        guild = self._bot.get_guild(guild_id)
        member = guild.get_member(interaction.user.id) if guild else None
        if guild is None or member is None:
            raise UserError(
                "I couldn't find you in the program's server, so I can't open a conversation. "
                "If you need someone now, please call one of the crisis lines."
            )
        config = await self._bot.guild_configs.get(guild.id)
        if config is None or not config.is_complete:
            raise NotConfigured()
        text = text.strip()
        if topic not in texts.TOPICS:
            raise UserError("Please choose what it's about. Nothing was sent.")
        if not has_visible(text):  # also zero-width-only text, which shows as nothing
            raise UserError(f"`message`: {texts.NO_FIRST_MESSAGE}")
        # Creating a channel or thread can outlast Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        with self._bot.in_flight():
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
        now = self._bot.clock.now()
        windows, zone = await self._settings.hours(guild.id)
        zone = zone or config.timezone or "UTC"
        staffed = is_staffed(windows, zone, now)
        next_at = next_staffed(windows, zone, now)
        conversation_id = await self._conversations.create(
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
        # The person's care team is asked first and admitted to the conversation.
        team = await care_team_of(self._bot.db, guild.id, member.id)
        try:
            kind, space = await self._spaces.open_space(
                guild, config, member, conversation_id, team
            )
        except discord.HTTPException as exc:
            await self._conversations.discard(conversation_id)
            log.warning(
                "could not open a conversation space",
                extra={"guild_id": guild.id, "status": exc.status, "code": exc.code},
            )
            raise UserError(
                "I couldn't open a private conversation (Discord refused). Nothing was sent. "
                "Please tell a facilitator, and if you need someone now, use `/help-now`."
            ) from None
        self._spaces.opened(space.id)
        await space.send(
            texts.opening_line(member.mention, not staffed, next_at),
            embed=texts.opening_embed(topic, text, member.display_name),
            view=together_view(conversation_id),
            allowed_mentions=discord.AllowedMentions(users=[member]),
        )
        conversation = await self._load(conversation_id)
        notice = await self._notice.post(
            guild, config, conversation, member, ping=staffed, team=team
        )
        await self._conversations.placed(conversation_id, kind, space.id, notice)
        await self._reannouncer.arm(conversation, now)
        log.info(
            "conversation opened",
            extra={"guild_id": guild.id, "conversation_id": conversation_id, "space": kind},
        )
        log.debug("conversation first message: %s", text)
        embeds = [
            texts.person_reply(space.mention, staffed=staffed, next_at=next_at, windows=windows)
        ]
        if not staffed:  # out of hours: the crisis lines and their own plan come first
            plan = await plan_embed(self._bot, guild.id, member.id)
            lines = texts.crisis_lines_embed(self._bot.resources.region(config.region))
            if plan is not None:  # one message holds 6,000 characters: the plan gives way
                plan = fit_beside(plan, [lines, *embeds], "`/safetyplan show` has all of it.")
            embeds = [lines, *([plan] if plan else []), *embeds]
        # Screened before answering: if the answer can't be sent (an expired token), the
        # message must still reach the crisis pipeline.
        await self._screen(member, text, space)
        try:
            await interaction.followup.send(
                embeds=embeds, ephemeral=True, allowed_mentions=NO_PINGS
            )
        finally:
            if team is not None:  # last: a big team role means one call per member
                await self._spaces.admit_team(guild, space, team)

    async def _screen(
        self, member: discord.Member, text: str, space: discord.abc.GuildChannel
    ) -> None:
        """Run the first message through the crisis pipeline too: at 3 am, a conversation
        that says someone is in danger must reach the crisis lines and the alert at once."""
        try:
            await crisis_api.screen(self._bot, member, text, source="talk", jump_url=space.jump_url)
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
        current = await self._conversations.open_for(guild.id, member.id)
        space = guild.get_channel_or_thread(current.space_id or 0) if current else None
        if current is None or not isinstance(space, discord.Thread | discord.TextChannel):
            raise UserError(
                "You already have a conversation open, but I can't find it on Discord. Please "
                "try again in a minute, or tell a facilitator."
            )
        await space.send(
            embed=texts.added_embed(topic, text, member.display_name), allowed_mentions=NO_PINGS
        )
        now = self._bot.clock.now()
        await self._conversations.note(current.id, "added", member.id, now)
        if await self._conversations.person_wrote(current.id, now):
            await self._reannouncer.arm(current, now)
        await send_private(
            interaction,
            f"You already have a conversation open, so I added this to it: {space.mention}.",
        )

    async def _load(self, conversation_id: int) -> Conversation:
        conversation = await self._conversations.conversation(conversation_id)
        if conversation is None:
            raise RuntimeError(f"conversation {conversation_id} vanished right after a write")
        return conversation
