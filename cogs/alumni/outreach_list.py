"""The weekly "alumni to reach out to" list for program staff: the quietest first, with
their cohort, graduation day, last activity (its kind and day, never content) and what
outreach did. Pages within Discord's limits, at most `MAX_PAGES` messages a week."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot import lists
from bot.outbox import Outbox
from bot.pages import to_embeds
from bot.staff import post_log
from bot.storage.guilds import GuildConfig
from cogs.alumni.outreach_logic import Quiet, list_line

MAX_PAGES = 10
TITLE = "Alumni to reach out to"


def list_embeds(quiet: list[Quiet], now: datetime, zone: ZoneInfo) -> list[discord.Embed]:
    today = now.astimezone(zone).date()
    lines = [list_line(q, today, zone) for q in quiet]
    footer = f"{len(quiet)} quiet alum(ni) · the longest quiet first · /alumni roster for all"
    pages = lists.paginate(
        lines=lines or ["Nobody has gone quiet this week. 🌱"], title=TITLE, footer=footer
    )
    if len(pages) > MAX_PAGES:
        # A very long list: the quietest first and how many more, rather than a flood.
        shown = sum(len(p.description.splitlines()) for p in pages[: MAX_PAGES - 1])
        more = f"…and {len(lines) - shown} more quiet alumni: `/alumni roster` shows everyone."
        pages = lists.paginate(lines=[*lines[:shown], more], title=TITLE, footer=footer)
    return to_embeds(pages, colour=discord.Colour.teal())


async def post_list(
    outbox: Outbox,
    guild: discord.Guild,
    config: GuildConfig | None,
    quiet: list[Quiet],
    now: datetime,
    zone: ZoneInfo,
) -> None:
    for embed in list_embeds(quiet, now, zone):
        await post_log(outbox, guild, config, embed=embed)
