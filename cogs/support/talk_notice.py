"""The staff notice of a private conversation: posted when it opens (who, topic, status and
a link, never the person's words) and edited as it is claimed, noted and closed. It goes to
the person's care team's channel when their cohort has one, else (or if that channel is gone
or refuses) to the escalation channel. Its buttons are in talk_views.py."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot import lists
from bot.interactions import NO_PINGS
from bot.lists import FIELD_VALUE_LIMIT
from bot.staff import staff_channel
from bot.storage.guilds import GuildConfig
from bot.tree import new_incident_id
from cogs.cohorts.api import CareTeam, team_mentions
from cogs.support.conversation_store import Conversation, ConversationEvent, ConversationStore
from cogs.support.talk_views import ConversationButton
from cogs.support.texts import TOPICS, when

# The logger keeps the name it had before talk.py was split.
log = logging.getLogger("cogs.support.talk")

NOTES_ON_NOTICE = 3  # the newest few; /conversation log shows them all


def space_url(guild_id: int, space_id: int | None) -> str:
    return f"https://discord.com/channels/{guild_id}/{space_id}"


def status_text(conversation: Conversation) -> str:
    if not conversation.open:
        who = f" by <@{conversation.closed_by}>" if conversation.closed_by else ""
        at = when(conversation.closed_at, "R") if conversation.closed_at else ""
        return f"Closed{who} {at}: {conversation.close_reason or ''}"
    if conversation.claimed_by:
        replied = "" if conversation.first_reply_at else " (no reply yet)"
        return f"With <@{conversation.claimed_by}>{replied}"
    if conversation.first_reply_at:
        return "Replied; nobody has claimed it"
    return "Waiting for a facilitator"


def newest_that_fit(lines: Sequence[str], limit: int = FIELD_VALUE_LIMIT) -> list[str]:
    """The last lines that fit whole in one field, oldest first (a lone line too long for it
    is shortened with "…")."""
    kept: list[str] = []
    size = -1  # no newline before the first line
    for line in reversed(lines):
        if size + 1 + len(line) > limit:
            break
        kept.insert(0, line)
        size += 1 + len(line)
    if not lines:
        return []
    return kept or [lists.shorten(lines[-1], limit)]


def notice_embed(
    conversation: Conversation, author: str, notes: Sequence[ConversationEvent] = ()
) -> discord.Embed:
    """The staff notification: who, topic and status, never the person's words."""
    colour = discord.Colour.dark_grey() if not conversation.open else discord.Colour.blurple()
    embed = discord.Embed(
        title=f"Conversation #{conversation.id}: {author}",
        colour=colour,
        timestamp=conversation.opened_at,
    )
    embed.add_field(name="Who", value=f"<@{conversation.user_id}>")
    embed.add_field(name="Topic", value=TOPICS.get(conversation.topic, conversation.topic))
    if conversation.space_id:
        url = space_url(conversation.guild_id, conversation.space_id)
        embed.add_field(name="Where", value=f"[Open the conversation]({url})")
    if conversation.alert_id:
        embed.add_field(name="From", value=f"crisis alert #{conversation.alert_id}")
    if conversation.out_of_hours:
        embed.add_field(name="Opened", value="outside staffed hours")
    embed.add_field(
        name="Status",
        value=lists.shorten(status_text(conversation), FIELD_VALUE_LIMIT),
        inline=False,
    )
    if notes:
        lines = newest_that_fit(
            [
                f"{when(n.at, 'R')} <@{n.actor_id}>: "
                + discord.utils.escape_mentions(n.detail or "")
                for n in notes[-NOTES_ON_NOTICE:]
            ]
        )
        name = f"Notes ({len(notes)})"
        if len(lines) < len(notes):
            name = f"Notes: newest {len(lines)} of {len(notes)} (all in /conversation log)"
        embed.add_field(name=name, value="\n".join(lines), inline=False)
    embed.set_footer(text="Facilitators only. The person's words stay in the private conversation.")
    return embed


def notice_view(conversation: Conversation) -> discord.ui.View | None:
    view = discord.ui.View(timeout=None)
    if conversation.space_id:
        view.add_item(
            discord.ui.Button(
                label="Open", url=space_url(conversation.guild_id, conversation.space_id)
            )
        )
    if conversation.open:
        for action in ("claim", "note", "close"):
            view.add_item(ConversationButton(action, conversation.id))
    else:
        view.add_item(ConversationButton("note", conversation.id))
    return view


class StaffNotice:
    """Posts and refreshes conversations' staff notices."""

    def __init__(self, conversations: ConversationStore) -> None:
        self._conversations = conversations

    async def post(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        conversation: Conversation,
        member: discord.Member,
        *,
        ping: bool,
        team: CareTeam | None = None,
    ) -> tuple[int, int] | None:
        """(channel id, message id) of the notice, or None if it could not be posted. With
        a care team, in its channel pinging the team; else, as before, in the escalation
        channel pinging the facilitator role. `ping` is False outside staffed hours."""
        embed, view = notice_embed(conversation, member.display_name), notice_view(conversation)
        if team is not None and team.channel_id is not None:
            landed = await self._post_to_team(guild, team, conversation, embed, view, ping=ping)
            if landed is not None:
                return landed
        channel = staff_channel(guild, config, "escalation") or staff_channel(guild, config, "log")
        role = guild.get_role(config.facilitator_role_id or 0)
        if channel is None:
            log.error("no staff channel for a new conversation; run /setup check")
            return None
        ping = ping and role is not None
        try:
            posted = await channel.send(
                content=f"{role.mention} a new private conversation." if ping and role else None,
                embed=embed,
                view=view,
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

    async def _post_to_team(
        self,
        guild: discord.Guild,
        team: CareTeam,
        conversation: Conversation,
        embed: discord.Embed,
        view: discord.ui.View | None,
        *,
        ping: bool,
    ) -> tuple[int, int] | None:
        """The notice in the team's channel, pinging exactly the team shown; None (logged at
        ERROR: the notice then goes to program staff) if the channel is gone or refuses."""
        channel = guild.get_channel(team.channel_id or 0)
        reason = "the care team's channel is gone"
        if isinstance(channel, discord.TextChannel):
            mentions, allowed = team_mentions(guild, team.user_ids, team.role_ids)
            ping = ping and bool(mentions)
            try:
                posted = await channel.send(
                    content=f"{mentions} a new private conversation." if ping else None,
                    embed=embed,
                    view=view,
                    allowed_mentions=allowed if ping else NO_PINGS,
                )
            except discord.HTTPException as exc:
                reason = f"Discord refused ({exc.status}/{exc.code})"
            else:
                return channel.id, posted.id
        incident = new_incident_id()
        log.error(
            "could not notify the care team of a conversation; telling program staff "
            "instead (incident %s)",
            incident,
            extra={
                "guild_id": guild.id,
                "conversation_id": conversation.id,
                "cohort_id": team.cohort_id,
                "channel_id": team.channel_id,
                "reason": reason,
                "incident": incident,
            },
        )
        return None

    async def refresh(
        self,
        guild: discord.Guild | None,
        conversation: Conversation,
        interaction: discord.Interaction | None = None,
    ) -> None:
        """Show the conversation's current state; through the interaction when it was
        clicked on the notice itself (one edit, and the click is answered)."""
        current = await self._conversations.conversation(conversation.id) or conversation
        notes = [e for e in await self._conversations.events(conversation.id) if e.action == "note"]
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
