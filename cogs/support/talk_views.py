"""Buttons, modals and the staff notice of private conversations. The buttons are dynamic
items (`lantern:talk:<action>:<id>`), so a notice clicked the next morning, after a restart,
still works; the handlers live in `talk.py`."""

from __future__ import annotations

from collections.abc import Sequence
from re import Match
from typing import TYPE_CHECKING, Any

import discord

from bot import lists
from bot.cogs import required_cog
from bot.interactions import LanternModal, reports_errors
from bot.lists import FIELD_VALUE_LIMIT
from cogs.support.store import Conversation, ConversationEvent
from cogs.support.texts import TOPICS, when

if TYPE_CHECKING:
    from cogs.support.talk import TalkCog

MESSAGE_LIMIT = 1500
NOTE_LIMIT = 500
REASON_LIMIT = 300
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


class TalkModal(LanternModal):
    """Topic and first message, in one modal (so a button can open it directly)."""

    def __init__(
        self, guild_id: int, origin: str, alert_id: int | None = None, topic: str | None = None
    ) -> None:
        super().__init__(title="Talk to a facilitator", timeout=None)
        self.guild_id, self.origin, self.alert_id = guild_id, origin, alert_id
        self.topic: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="topic",
            placeholder="Choose one",
            options=[
                discord.SelectOption(label=label, value=key, default=key == topic)
                for key, label in TOPICS.items()
            ],
        )
        self.add_item(discord.ui.Label(text="What's it about?", component=self.topic))
        self.message: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="message",
            style=discord.TextStyle.paragraph,
            placeholder="As much or as little as you like. Only you and the facilitators "
            "will see it.",
            max_length=MESSAGE_LIMIT,
        )
        self.add_item(discord.ui.Label(text="What would you like to say?", component=self.message))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        topic = self.topic.values[0] if self.topic.values else ""
        await talk_cog(interaction).submitted(
            interaction, self.guild_id, topic, self.message.value, self.origin, self.alert_id
        )


class NoteModal(LanternModal):
    def __init__(self, conversation_id: int) -> None:
        super().__init__(title=f"Internal note on #{conversation_id}", timeout=None)
        self.conversation_id = conversation_id
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="note",
            style=discord.TextStyle.paragraph,
            placeholder="Visible to facilitators only, never to the person.",
            max_length=NOTE_LIMIT,
        )
        self.add_item(discord.ui.Label(text="Note", component=self.note))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await talk_cog(interaction).noted(interaction, self.conversation_id, self.note.value)


class CloseModal(LanternModal):
    def __init__(self, conversation_id: int) -> None:
        super().__init__(title=f"Close conversation #{conversation_id}", timeout=None)
        self.conversation_id = conversation_id
        self.reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="reason",
            placeholder="e.g. talked it through; referred to their counselor",
            min_length=3,
            max_length=REASON_LIMIT,
        )
        self.add_item(
            discord.ui.Label(
                text="Reason (facilitators only)",
                description="The person is told it's closed, not the reason.",
                component=self.reason,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await talk_cog(interaction).closed(interaction, self.conversation_id, self.reason.value)


class ConversationButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:talk:(?P<action>claim|note|close):(?P<conversation>[0-9]+)",
):
    LABELS: dict[str, tuple[str, discord.ButtonStyle]] = {  # noqa: RUF012
        "claim": ("Claim", discord.ButtonStyle.primary),
        "note": ("Add note", discord.ButtonStyle.secondary),
        "close": ("Close", discord.ButtonStyle.secondary),
    }

    def __init__(self, action: str, conversation_id: int) -> None:
        label, style = self.LABELS[action]
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"lantern:talk:{action}:{conversation_id}"
            )
        )
        self.action, self.conversation_id = action, conversation_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> ConversationButton:
        return cls(match["action"], int(match["conversation"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await talk_cog(interaction).staff_action(interaction, self.action, self.conversation_id)


class TalkStartButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:talk:start:(?P<guild>[0-9]+)",
):
    """ "Talk to a facilitator" under /help-now: opens the /talk modal directly."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Talk to a facilitator",
                style=discord.ButtonStyle.primary,
                custom_id=f"lantern:talk:start:{guild_id}",
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> TalkStartButton:
        return cls(int(match["guild"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        talk_cog(interaction)  # refuse clearly if conversations are unavailable
        await interaction.response.send_modal(TalkModal(self.guild_id, "help_now", topic="hard"))


def talk_cog(interaction: discord.Interaction) -> TalkCog:
    from cogs.support.talk import TalkCog

    return required_cog(
        interaction.client,
        TalkCog,
        "Conversations are restarting. Please try again in a minute, or use `/help-now` "
        "if you need someone now.",
    )
