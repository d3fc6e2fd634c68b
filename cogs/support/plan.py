"""The safety plan (Stanley-Brown structure): `/safetyplan edit|show|share`, and the embeds
other features use (the crisis message leads with the person's own plan; facilitators see a
shared plan from a crisis alert and from `/checkin history`).

Editing is a checklist message with one button per part; each opens a short modal and saves
that part alone, so nothing typed earlier is ever lost, and the buttons are dynamic items
that keep working after a restart.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from re import Match
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import lists
from bot.checks import guild_of, member_is_facilitator
from bot.cogs import required_cog
from bot.errors import NotAuthorized, UserError
from bot.interactions import LanternModal, reports_errors, send_private
from bot.safety import resource_line
from cogs.crisis import api as crisis_api
from cogs.support.store import PLAN_PARTS, Person, SafetyPlan, SupportStore

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)

PART_LIMIT = 600  # 7 parts x 600 stay under Discord's 6000-character embed limit
PEOPLE_SLOTS = 5
PERSON_LIMIT = 100
MODAL_INPUT_LIMIT = 4000  # Discord's most for a text input's value


@dataclass(frozen=True)
class Part:
    key: str
    button: str  # the checklist button (short, for a phone)
    heading: str  # how the part is titled when the plan is shown
    question: str  # the modal field label (Discord: at most 45 characters)
    hint: str  # the modal placeholder (at most 100 characters)


PARTS: tuple[Part, ...] = (
    Part(
        "warning_signs",
        "Warning signs",
        "1 · My warning signs",
        "What tells you a hard time may be coming?",
        "Thoughts, feelings or situations, e.g. not sleeping, pulling away from people",
    ),
    Part(
        "coping_alone",
        "Coping on my own",
        "2 · Things I can do on my own",
        "What can you do on your own to feel better?",
        "e.g. a walk, a shower, music, writing it down, a grounding exercise",
    ),
    Part(
        "distractions",
        "People & places",
        "3 · People and places that distract me",
        "Who or where takes your mind off things?",
        "e.g. a coffee shop, the library, calling my cousin, a meeting",
    ),
    Part(
        "people",
        "People to ask",
        "4 · People I can ask for help",
        "Someone you can ask for help",
        "Their name, and how to reach them, e.g. Sam - 555 0101",
    ),
    Part(
        "professionals",
        "Professionals & lines",
        "5 · Professionals and crisis lines",
        "Professionals and lines you can call",
        "Your counselor, your doctor, a crisis line",
    ),
    Part(
        "safer_surroundings",
        "Safer surroundings",
        "6 · Making my surroundings safer",
        "What can make your surroundings safer?",
        "e.g. ask someone to hold my medication, keep no alcohol at home",
    ),
    Part(
        "reasons",
        "Reasons for living",
        "💛 My reasons for living",
        "What are your reasons for living?",
        "People, pets, hopes, small things that matter to you",
    ),
)
BY_KEY = {p.key: p for p in PARTS}
assert tuple(p.key for p in PARTS) == PLAN_PARTS  # noqa: S101 (the store and the UI agree)

_SPLIT = re.compile(r"\s+[-–—]\s+|\s*[:,;|]\s*")


def parse_person(line: str) -> Person | None:
    """'Sam - 555 0101' -> Person('Sam', '555 0101'); a name alone is kept as it is."""
    line = " ".join(line.split())[:PERSON_LIMIT]
    if not line:
        return None
    parts = _SPLIT.split(line, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        return Person(parts[0], parts[1])
    return Person(line)


def person_text(person: Person) -> str:
    """How a person is pre-filled in the modal; re-parsed it gives the same person. Any
    person `parse_person` made fits in PERSON_LIMIT: its line had a separator at least as
    long as the shortest one used here."""
    if not person.reach:
        return person.name
    for separator in (" - ", ": ", ":"):
        text = f"{person.name}{separator}{person.reach}"
        if len(text) <= PERSON_LIMIT:
            return text
    return text


def prefill(text: str | None, limit: int) -> tuple[str | None, int]:
    """(default, max_length) for a modal text input: Discord refuses a modal whose default
    is longer than its max_length, so a value saved longer than today's limit (an older
    version's) widens the field to fit, up to Discord's 4,000, rather than losing words."""
    if not text:
        return None, limit
    return text[:MODAL_INPUT_LIMIT], max(limit, min(len(text), MODAL_INPUT_LIMIT))


def person_line(person: Person) -> str:
    name = discord.utils.escape_markdown(person.name)
    return (
        f"• **{name}**: {discord.utils.escape_markdown(person.reach)}"
        if person.reach
        else f"• {name}"
    )


def _value(plan: SafetyPlan, key: str) -> str:
    if key == "people":
        return "\n".join(person_line(p) for p in plan.people)
    return discord.utils.escape_mentions(plan.parts.get(key, ""))


def full_embed(plan: SafetyPlan, *, title: str, footer: str) -> discord.Embed:
    """The whole plan, one field per part, short lines that read well on a phone."""
    embed = discord.Embed(title=title, colour=discord.Colour.teal())
    for part in PARTS:
        if plan.has(part.key):
            lines = _value(plan, part.key).split("\n")
            for item in lists.group_fields(lists.Group(part.heading, lines)):
                embed.add_field(name=item.name, value=item.value, inline=False)
    if plan.updated_at is not None:
        embed.timestamp = plan.updated_at
    embed.set_footer(text=footer)
    return embed


def checklist_embed(plan: SafetyPlan | None, saved: str | None = None) -> discord.Embed:
    lines = []
    for part in PARTS:
        done = plan is not None and plan.has(part.key)
        lines.append(f"{'✅' if done else '▫️'} {part.heading}")
    intro = (
        "Take it one part at a time. Every part is optional, and you can come back any time: "
        "what you save stays saved. Only you can see your plan unless you choose to share it "
        "with `/safetyplan share`."
    )
    if saved:
        intro = f"Saved **{saved}**. " + intro
    return discord.Embed(
        title="Your safety plan",
        description=intro + "\n\n" + "\n".join(lines),
        colour=discord.Colour.teal(),
    )


def next_part(plan: SafetyPlan | None, after: str | None = None) -> str | None:
    """The first empty part after `after` (wrapping), to highlight as the next step."""
    keys = [p.key for p in PARTS]
    start = keys.index(after) + 1 if after in keys else 0
    for key in keys[start:] + keys[:start]:
        if plan is None or not plan.has(key):
            return key
    return None


def checklist_view(plan: SafetyPlan | None, after: str | None = None) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    suggested = next_part(plan, after)
    for part in PARTS:
        view.add_item(PlanPartButton(part.key, highlight=part.key == suggested))
    return view


class PlanCog(commands.Cog, name="SafetyPlan"):
    plan_group = app_commands.Group(
        name="safetyplan", description="Your personal safety plan (private)", guild_only=True
    )

    def __init__(self, bot: LanternBot) -> None:
        self.bot = bot
        self.store = SupportStore(bot.db, bot.cipher)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PlanPartButton, PlanViewButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PlanPartButton, PlanViewButton)

    @plan_group.command(name="edit", description="Write or change your safety plan, part by part")
    async def edit(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        plan = await self.store.plan(guild.id, interaction.user.id)
        await send_private(interaction, embed=checklist_embed(plan), view=checklist_view(plan))

    @plan_group.command(name="show", description="See your safety plan (only you can see it)")
    async def show(self, interaction: discord.Interaction) -> None:
        guild = guild_of(interaction)
        plan = await self.store.plan(guild.id, interaction.user.id)
        if plan is None or plan.empty:
            await send_private(
                interaction,
                "You haven't written a safety plan yet. `/safetyplan edit` walks you through "
                "it, one short part at a time. Every part is optional.",
            )
            return
        sharing = "shared with your facilitators" if plan.shared else "private to you"
        await send_private(
            interaction,
            embed=full_embed(
                plan,
                title="My safety plan",
                footer=f"Only you can see this message. Your plan is {sharing}.",
            ),
        )

    @plan_group.command(name="share", description="Share your plan with your facilitators, or stop")
    @app_commands.describe(with_facilitators="True to share it, False to stop sharing")
    async def share(self, interaction: discord.Interaction, with_facilitators: bool) -> None:
        guild = guild_of(interaction)
        now = self.bot.clock.now()
        if not await self.store.set_shared(guild.id, interaction.user.id, with_facilitators, now):
            raise UserError(
                "You don't have a safety plan yet, so there's nothing to share. Start one with "
                "`/safetyplan edit`."
            )
        log.info(
            "safety plan sharing changed",
            extra={
                "guild_id": guild.id,
                "user_id": interaction.user.id,
                "shared": with_facilitators,
            },
        )
        if with_facilitators:
            reply = (
                "Your plan is now shared with your program's facilitators. They can see it if "
                "you're having a hard time (from an alert) and next to your check-ins, so they "
                "can help the way you'd want. Stop any time with "
                "`/safetyplan share with_facilitators: False`."
            )
        else:
            reply = "Your plan is private again: only you can see it."
        await send_private(interaction, reply)

    # --- editing one part --------------------------------------------------------------

    async def open_part(self, interaction: discord.Interaction, key: str) -> None:
        guild = guild_of(interaction)
        plan = await self.store.plan(guild.id, interaction.user.id)
        default = None
        if key == "professionals" and (plan is None or not plan.has(key)):
            default = await self.suggested_professionals(guild.id)
        await interaction.response.send_modal(PartModal(BY_KEY[key], plan, default))

    async def suggested_professionals(self, guild_id: int) -> str:
        """The server's crisis lines (region and local), as plain text to start from."""
        config = await self.bot.guild_configs.get(guild_id)
        region = self.bot.resources.region(config.region if config else None)
        lines = [resource_line(r).replace("**", "") for r in region.resources[:3]]
        for local in (await crisis_api.local_resources(self.bot, guild_id))[:2]:
            lines.append(f"• {local.name}: {local.contact}")
        lines.append(f"• Emergency: {region.emergency}")
        lines.append("• My counselor: ")
        return "\n".join(lines)[:PART_LIMIT]

    async def save_part(
        self, interaction: discord.Interaction, key: str, values: list[str]
    ) -> None:
        guild = guild_of(interaction)
        value: str | list[Person]
        if key == "people":
            value = [p for p in (parse_person(v) for v in values) if p is not None]
        else:
            value = values[0].strip()
        now = self.bot.clock.now()
        plan = await self.store.save_part(guild.id, interaction.user.id, key, value, now)
        log.info(
            "safety plan part saved",
            extra={"guild_id": guild.id, "user_id": interaction.user.id, "part": key},
        )
        embed = checklist_embed(plan, saved=BY_KEY[key].button)
        view = checklist_view(plan, after=key)
        if interaction.message is not None:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await send_private(interaction, embed=embed, view=view)

    async def view_shared(
        self, interaction: discord.Interaction, guild_id: int, user_id: int
    ) -> None:
        guild = self.bot.get_guild(guild_id)
        config = await self.bot.guild_configs.get(guild_id)
        member = guild.get_member(interaction.user.id) if guild else None
        if member is None or not member_is_facilitator(member, config):
            raise NotAuthorized("Only facilitators can see a shared safety plan.")
        embed = await shared_plan_embed(self.bot, guild_id, user_id)
        if embed is None:
            raise UserError(f"<@{user_id}> isn't sharing a safety plan right now.")
        log.info(
            "shared safety plan viewed",
            extra={"guild_id": guild_id, "user_id": user_id, "viewer_id": member.id},
        )
        await send_private(interaction, embed=embed)


class PartModal(LanternModal):
    def __init__(self, part: Part, plan: SafetyPlan | None, default: str | None) -> None:
        super().__init__(title=part.button, timeout=None)
        self.part = part
        self.inputs: list[discord.ui.TextInput[Any]] = []
        if part.key == "people":
            people = list(plan.people) if plan else []
            for slot in range(PEOPLE_SLOTS):
                current = people[slot] if slot < len(people) else None
                text, limit = prefill(person_text(current) if current else None, PERSON_LIMIT)
                field: discord.ui.TextInput[Any] = discord.ui.TextInput(
                    label=f"Person {slot + 1}: name and how to reach them",
                    placeholder=part.hint if slot == 0 else None,
                    default=text,
                    required=False,
                    max_length=limit,
                    custom_id=f"person{slot + 1}",
                )
                self.inputs.append(field)
                self.add_item(field)
            return
        current_text = plan.parts.get(part.key) if plan else None
        text, limit = prefill(current_text or default, PART_LIMIT)
        field = discord.ui.TextInput(
            label=part.question,
            placeholder=part.hint,
            default=text,
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=limit,
            custom_id="text",
        )
        self.inputs.append(field)
        self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        cog = _cog(interaction)
        await cog.save_part(interaction, self.part.key, [f.value or "" for f in self.inputs])


class PlanPartButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:plan:edit:(?P<part>[a-z_]+)",
):
    def __init__(self, part: str, *, highlight: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=BY_KEY[part].button,
                style=discord.ButtonStyle.primary if highlight else discord.ButtonStyle.secondary,
                custom_id=f"lantern:plan:edit:{part}",
            )
        )
        self.part = part

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> PlanPartButton:
        if match["part"] not in BY_KEY:
            raise UserError("That part of the plan no longer exists. Run `/safetyplan edit`.")
        return cls(match["part"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).open_part(interaction, self.part)


class PlanViewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"lantern:plan:view:(?P<guild>[0-9]+):(?P<user>[0-9]+)",
):
    def __init__(self, guild_id: int, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="View safety plan",
                style=discord.ButtonStyle.secondary,
                emoji="📋",
                custom_id=f"lantern:plan:view:{guild_id}:{user_id}",
            )
        )
        self.guild_id, self.user_id = guild_id, user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Match[str]
    ) -> PlanViewButton:
        return cls(int(match["guild"]), int(match["user"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).view_shared(interaction, self.guild_id, self.user_id)


def _cog(interaction: discord.Interaction) -> PlanCog:
    return required_cog(
        interaction.client, PlanCog, "Safety plans are restarting. Please try again in a minute."
    )


# --- for other features -------------------------------------------------------------------


async def plan_embed(bot: LanternBot, guild_id: int, user_id: int) -> discord.Embed | None:
    """The person's own plan, for the top of the crisis message: the warning signs they
    named, their coping steps, their people and reasons. None if they have no plan."""
    plan = await SupportStore(bot.db, bot.cipher).plan(guild_id, user_id)
    if plan is None or plan.empty:
        return None
    embed = discord.Embed(
        title="Your safety plan",
        description="You wrote this for a moment like this one. Take it one step at a time.",
        colour=discord.Colour.teal(),
    )
    for key, name in (
        ("warning_signs", "Warning signs you named"),
        ("coping_alone", "Things that help you"),
        ("distractions", "People and places that take your mind off it"),
        ("people", "People you can reach"),
        ("reasons", "Your reasons for living"),
    ):
        if plan.has(key):
            embed.add_field(name=name, value=_value(plan, key)[:1024], inline=False)
    return embed


async def plan_is_shared(bot: LanternBot, guild_id: int, user_id: int) -> bool:
    plan = await SupportStore(bot.db, bot.cipher).plan(guild_id, user_id)
    return plan is not None and plan.shared and not plan.empty


async def shared_plan_embed(bot: LanternBot, guild_id: int, user_id: int) -> discord.Embed | None:
    """The whole plan for facilitators, only while the person shares it (else None)."""
    plan = await SupportStore(bot.db, bot.cipher).plan(guild_id, user_id)
    if plan is None or not plan.shared or plan.empty:
        return None
    guild = bot.get_guild(guild_id)
    member = guild.get_member(user_id) if guild else None
    who = member.display_name if member else f"user {user_id}"
    return full_embed(
        plan,
        title=f"Safety plan shared by {who}",
        footer="Shared by the person with facilitators. Health information: keep it in staff "
        "spaces.",
    )


def plan_view_button(guild_id: int, user_id: int) -> discord.ui.Item[Any]:
    """The "View safety plan" button for staff messages (crisis alerts)."""
    return PlanViewButton(guild_id, user_id)


__all__ = [
    "PlanCog",
    "plan_embed",
    "plan_is_shared",
    "plan_view_button",
    "shared_plan_embed",
]
