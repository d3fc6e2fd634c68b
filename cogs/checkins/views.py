"""What a check-in prompt looks like, and its buttons and selects.

Every control is a `DynamicItem` whose custom_id carries the prompt id
(`lantern:checkin:mood:<prompt_id>:<value>`), so a prompt sent yesterday still works after a
restart. The answers so far live in the database, not in the message: each tap saves one
answer and redraws the prompt from what is stored.
"""

from __future__ import annotations

from re import Match
from typing import TYPE_CHECKING, Any

import discord

from bot.buttons import PersistentButton, PersistentSelect
from bot.cogs import required_cog
from cogs.checkins import logic, schedule
from cogs.checkins.models import Prompt

if TYPE_CHECKING:
    from cogs.checkins.answering import AnswerService
    from cogs.checkins.cog import Checkins

PREFIX = "lantern:checkin"
UNAVAILABLE = "Check-ins are unavailable right now. Please try again in a minute."
COLOUR = discord.Colour.from_rgb(244, 180, 76)  # a warm lantern amber


def checkins(client: Any) -> Checkins:
    """The loaded check-ins cog; a private "unavailable" message while it is not."""
    from cogs.checkins.cog import Checkins

    return required_cog(client, Checkins, UNAVAILABLE)


def _service(interaction: discord.Interaction) -> AnswerService:
    return checkins(interaction.client).answers


def answers_text(answers: logic.Answers) -> str:
    """One line for people: 'Mood 4/5 · Cravings 2/10 · Slept 7 h'."""
    parts = []
    if answers.mood is not None:
        parts.append(f"Mood {answers.mood}/5 {logic.MOOD_EMOJI[answers.mood]}")
    if answers.cravings is not None:
        parts.append(f"Cravings {answers.cravings}/10")
    if answers.sleep_hours is not None:
        parts.append(f"Slept {logic.SLEEP_CHOICES.get(answers.sleep_hours, answers.sleep_hours)}")
    return " · ".join(parts)


def prompt_embed(prompt: Prompt, guild_name: str) -> discord.Embed:
    a = prompt.answers
    embed = discord.Embed(
        title="How are you doing today?",
        description=(
            "Tap what fits. Only **mood** is needed; skip anything you like. Your answers stay "
            "between you and your facilitators."
        ),
        colour=COLOUR,
    )
    mood = f"{a.mood} {logic.MOOD_EMOJI[a.mood]} {logic.MOODS[a.mood]}" if a.mood else "—"
    embed.add_field(name="Mood", value=mood)
    embed.add_field(name="Cravings", value=f"{a.cravings}/10" if a.cravings is not None else "—")
    sleep = logic.SLEEP_CHOICES.get(a.sleep_hours or -1, "—")
    embed.add_field(name="Sleep", value=sleep)
    embed.add_field(name="Used since last check-in", value=logic.USED.get(a.used or "", "—"))
    note = f"Added ({len(a.note)} characters)" if a.note else "—"
    embed.add_field(name="Note", value=note)
    share = "Yes" + (", with my note" if prompt.share_note else "") if prompt.share else "No"
    embed.add_field(name="Share a summary with my cohort", value=share)
    embed.set_footer(text=f"{guild_name} · check-in for {prompt.local_day:%a %b %d}")
    return embed


def prompt_view(prompt: Prompt, *, weekly_due: bool = False) -> discord.ui.View:
    a = prompt.answers
    view = discord.ui.View(timeout=None)
    for value in range(1, 6):
        view.add_item(
            CheckinButton(
                "mood",
                prompt.id,
                str(value),
                label=f"{value} {logic.MOOD_EMOJI[value]}",
                selected=a.mood == value,
                row=0,
            )
        )
    view.add_item(CheckinSelect("cravings", prompt.id, a.cravings, row=1))
    view.add_item(CheckinSelect("sleep", prompt.id, a.sleep_hours, row=2))
    for value, label in logic.USED.items():
        view.add_item(
            CheckinButton(
                "used", prompt.id, value, label=f"Used: {label}", selected=a.used == value, row=3
            )
        )
    for value, label in schedule.SNOOZES.items():
        view.add_item(CheckinButton("snooze", prompt.id, value, label=label, row=3))
    view.add_item(
        CheckinButton("note", prompt.id, label="Edit note" if a.note else "Add a note", row=4)
    )
    view.add_item(
        CheckinButton(
            "share",
            prompt.id,
            label="Sharing with cohort" if prompt.share else "Share with cohort",
            selected=prompt.share,
            row=4,
        )
    )
    if prompt.share and a.note:
        view.add_item(
            CheckinButton(
                "sharenote",
                prompt.id,
                label="Note included" if prompt.share_note else "Include my note",
                selected=prompt.share_note,
                row=4,
            )
        )
    if weekly_due:
        view.add_item(CheckinButton("weekly", prompt.id, label="Weekly questions", row=4))
    view.add_item(
        CheckinButton("submit", prompt.id, label="Done", style=discord.ButtonStyle.success, row=4)
    )
    return view


def replace_view(prompt_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        CheckinButton(
            "replace",
            prompt_id,
            label="Replace it",
            style=discord.ButtonStyle.primary,
        )
    )
    view.add_item(CheckinButton("keep", prompt_id, label="Keep the first one"))
    return view


class CheckinButton(
    PersistentButton,
    template=PREFIX
    + r":(?P<action>mood|used|note|share|sharenote|submit|replace|keep|weekly|snooze)"
    + r":(?P<prompt>[0-9]+)(?::(?P<value>[a-z0-9]+))?",
):
    def __init__(
        self,
        action: str,
        prompt_id: int,
        value: str | None = None,
        *,
        label: str = "",
        selected: bool = False,
        style: discord.ButtonStyle | None = None,
        row: int | None = None,
    ) -> None:
        custom_id = f"{PREFIX}:{action}:{prompt_id}" + (f":{value}" if value else "")
        chosen = discord.ButtonStyle.primary if selected else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label or action, style=style or chosen, custom_id=custom_id, row=row
            )
        )
        self.action, self.prompt_id, self.value = action, prompt_id, value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> CheckinButton:
        # Not the base's: a mood value ("4") must stay text, and `value` may be absent.
        return cls(match["action"], int(match["prompt"]), match["value"])

    async def run(self, interaction: discord.Interaction) -> None:
        await _service(interaction).on_button(interaction, self.action, self.prompt_id, self.value)


class CheckinSelect(
    PersistentSelect,
    template=PREFIX + r":(?P<field>cravings|sleep):(?P<prompt_id>[0-9]+)",
):
    def __init__(
        self, field: str, prompt_id: int, current: int | None = None, *, row: int | None = None
    ) -> None:
        if field == "cravings":
            placeholder = "Cravings today (0 = none, 10 = intense)"
            choices = {v: f"{v}/10" + (" (none)" if v == 0 else "") for v in logic.CRAVINGS}
        else:
            placeholder = "Hours slept last night"
            choices = dict(logic.SLEEP_CHOICES)
        options = [
            discord.SelectOption(label=label, value=str(value), default=value == current)
            for value, label in choices.items()
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"{PREFIX}:{field}:{prompt_id}",
                placeholder=placeholder,
                options=options,
                row=row,
            )
        )
        self.field, self.prompt_id = field, prompt_id

    async def run(self, interaction: discord.Interaction) -> None:
        values = (interaction.data or {}).get("values") or []
        await _service(interaction).on_select(
            interaction, self.field, self.prompt_id, str(values[0]) if values else ""
        )


class NoteModal(discord.ui.Modal, title="A note for today"):
    """Only the person and their facilitators read it (and the cohort, if they tick it)."""

    def __init__(self, service: AnswerService, prompt_id: int, current: str | None) -> None:
        super().__init__(custom_id=f"{PREFIX}:notemodal:{prompt_id}")
        self.service, self.prompt_id = service, prompt_id
        self.note: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
            label="Anything you want to add?",
            style=discord.TextStyle.paragraph,
            default=current,
            required=False,
            max_length=logic.MAX_NOTE,
            custom_id="note",
        )
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.service.on_note(interaction, self.prompt_id, self.note.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        from bot.tree import report_error

        await report_error(interaction, error)
