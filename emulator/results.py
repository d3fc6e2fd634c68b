"""What the bot answered to an interaction, read live from the emulator's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from emulator.model import LOADING, Interaction, Message, walk_components
from emulator.state import World

KIND_NAMES = {
    4: "message",
    5: "deferred",
    6: "deferred_update",
    7: "update",
    8: "autocomplete",
    9: "modal",
}


class Choice(NamedTuple):
    name: str
    value: Any


@dataclass
class ModalForm:
    """A modal the bot opened: its custom_id, title and input fields by custom_id."""

    custom_id: str
    title: str
    components: list[dict[str, Any]]
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: Interaction | None = None


def modal_form(inter: Interaction) -> ModalForm | None:
    if inter.response_type != 9:
        return None
    data = inter.response_data
    inputs = {
        c["custom_id"]: c for c in walk_components(data.get("components") or []) if "custom_id" in c
    }
    return ModalForm(
        data["custom_id"], data.get("title", ""), data.get("components") or [], inputs, inter
    )


class InteractionResult:
    """What the bot did with an interaction. Attributes read live state (later edits show)."""

    def __init__(self, world: World, interaction: Interaction) -> None:
        self.world = world
        self.interaction = interaction

    @property
    def kind(self) -> str:
        """message | deferred | deferred_update | update | modal | autocomplete"""
        return KIND_NAMES.get(self.interaction.response_type or 0, "none")

    @property
    def message(self) -> Message | None:
        """The response message (for update/deferred_update: the message with the component)."""
        return self.world.messages.get(self.interaction.original_message_id or 0)

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def ephemeral(self) -> bool:
        return bool(self.message and self.message.ephemeral)

    @property
    def loading(self) -> bool:
        """A deferred response not yet completed by an edit or followup."""
        return bool(self.message and self.message.flags & LOADING)

    @property
    def modal(self) -> ModalForm | None:
        return modal_form(self.interaction)

    @property
    def choices(self) -> list[Choice]:
        raw = self.interaction.response_data.get("choices") or []
        return [Choice(c["name"], c["value"]) for c in raw]

    @property
    def followups(self) -> list[Message]:
        """Followup messages. After a deferral the first followup completes the deferred
        response instead (Discord's behaviour): read it as `content`/`message`."""
        return [self.world.messages[i] for i in self.interaction.followup_ids]

    async def wait_for_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109
        await self.world.wait_for(
            lambda: len(self.interaction.followup_ids) >= count,
            timeout,
            what=f"{count} followup(s) to interaction {self.interaction.id}",
        )
        return self.followups

    async def wait_for_edit(self, edits: int = 1, timeout: float = 5.0) -> Message | None:  # noqa: ASYNC109
        await self.world.wait_for(
            lambda: self.interaction.edits >= edits,
            timeout,
            what=f"{edits} edit(s) of the response to interaction {self.interaction.id}",
        )
        return self.message

    def __repr__(self) -> str:
        return f"<InteractionResult kind={self.kind} content={self.content[:40]!r}>"
