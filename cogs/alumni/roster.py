"""`/alumni roster`: the program's graduates for staff, quietest first, with their cohort,
graduation day and last check-in day (never what anyone wrote). A care team member sees
only their cohorts' graduates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import discord

from bot import lists
from bot.checks import guild_of
from bot.client import LanternBot
from bot.pages import send_pages, to_embeds
from cogs.checkins.api import last_checkin_days
from cogs.cohorts.api import Membership, require_reach


@dataclass(frozen=True)
class Graduate:
    user_id: int
    cohort: str
    graduated_on: date
    last_checkin: date | None


def roster_lines(people: list[Graduate], today: date) -> list[str]:
    """One line each, the longest without a check-in first (those never checked in since
    graduating before them)."""

    def quiet_since(person: Graduate) -> date:
        after = (
            person.last_checkin
            if person.last_checkin and (person.last_checkin >= person.graduated_on)
            else None
        )
        return after or date.min

    lines = []
    for person in sorted(people, key=lambda p: (quiet_since(p), p.graduated_on, p.user_id)):
        since = quiet_since(person)
        last = (
            f"last check-in {since:%b %d} ({(today - since).days} days ago)"
            if since != date.min
            else "no check-in since graduating"
        )
        lines.append(
            f"<@{person.user_id}> · {person.cohort} · graduated {person.graduated_on:%b %d, %Y}"
            f" · {last}"
        )
    return lines


async def show_roster(bot: LanternBot, interaction: discord.Interaction) -> None:
    config, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    last = await last_checkin_days(bot.db, guild.id)
    people = [
        Graduate(user_id, cohort, graduated_on, last.get(user_id))
        for user_id, cohort_id, cohort, graduated_on in await Membership(bot.db).graduates(guild.id)
        if reach.covers(cohort_id)
    ]
    today = bot.clock.now().astimezone(ZoneInfo(config.timezone or "UTC")).date()
    pages = lists.paginate(
        lines=roster_lines(people, today) or ["No graduates yet."],
        title="Alumni",
        footer=f"{len(people)} graduate(s) · the longest without a check-in first",
    )
    await send_pages(interaction, to_embeds(pages, colour=discord.Colour.teal()))
