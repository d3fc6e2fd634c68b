"""Buttons and modals of private conversations. The buttons are persistent
(`lantern:talk:<action>:<id>`), so a notice clicked the next morning, after a restart,
still works; the handlers live in `talk.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.buttons import PersistentButton
from bot.cogs import required_cog
from bot.interactions import LanternModal
from cogs.support.texts import TOPICS

if TYPE_CHECKING:
    from cogs.support.talk import TalkCog

MESSAGE_LIMIT = 1500
NOTE_LIMIT = 500
REASON_LIMIT = 300


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
    PersistentButton,
    template=r"lantern:talk:(?P<action>claim|note|close):(?P<conversation_id>[0-9]+)",
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

    async def run(self, interaction: discord.Interaction) -> None:
        await talk_cog(interaction).staff_action(interaction, self.action, self.conversation_id)


class TalkStartButton(PersistentButton, template=r"lantern:talk:start:(?P<guild_id>[0-9]+)"):
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

    async def run(self, interaction: discord.Interaction) -> None:
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
