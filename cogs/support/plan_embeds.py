"""How a safety plan reads: the whole plan, the editing checklist, and the embeds other
features show (the crisis message leads with the person's own plan; facilitators see a
shared plan from a crisis alert and from `/checkin history`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot import lists
from cogs.support.plan_parts import PARTS, Person, SafetyPlan
from cogs.support.plan_store import PlanStore

if TYPE_CHECKING:
    from bot.client import LanternBot


def person_line(person: Person) -> str:
    name = discord.utils.escape_markdown(person.name)
    return (
        f"• **{name}**: {discord.utils.escape_markdown(person.reach)}"
        if person.reach
        else f"• {name}"
    )


def part_text(plan: SafetyPlan, key: str) -> str:
    if key == "people":
        return "\n".join(person_line(p) for p in plan.people)
    return discord.utils.escape_mentions(plan.parts.get(key, ""))


def full_embed(plan: SafetyPlan, *, title: str, footer: str) -> discord.Embed:
    """The whole plan, one field per part, short lines that read well on a phone."""
    embed = discord.Embed(title=title, colour=discord.Colour.teal())
    for part in PARTS:
        if plan.has(part.key):
            lines = part_text(plan, part.key).split("\n")
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


# --- for other features -------------------------------------------------------------------


async def plan_embed(bot: LanternBot, guild_id: int, user_id: int) -> discord.Embed | None:
    """The person's own plan, for the top of the crisis message: the warning signs they
    named, their coping steps, their people and reasons. None if they have no plan."""
    plan = await PlanStore(bot.db, bot.cipher).plan(guild_id, user_id)
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
            embed.add_field(name=name, value=part_text(plan, key)[:1024], inline=False)
    return embed


async def plan_is_shared(bot: LanternBot, guild_id: int, user_id: int) -> bool:
    plan = await PlanStore(bot.db, bot.cipher).plan(guild_id, user_id)
    return plan is not None and plan.shared and not plan.empty


async def shared_plan_embed(bot: LanternBot, guild_id: int, user_id: int) -> discord.Embed | None:
    """The whole plan for facilitators, only while the person shares it (else None)."""
    plan = await PlanStore(bot.db, bot.cipher).plan(guild_id, user_id)
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
