"""What `/progress` and `/checkin history` show: streak, averages, recent days, the chart;
read for one person and sent privately."""

from __future__ import annotations

import asyncio
import functools
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import discord

from bot import lists
from cogs.checkins import logic, schedule
from cogs.checkins.chart import ScorePoint, render_png
from cogs.checkins.models import Assessment, Checkin, Settings
from cogs.checkins.prompt_store import PromptStore
from cogs.checkins.record_store import RecordStore
from cogs.checkins.views import COLOUR, answers_text


@dataclass
class Progress:
    embed: discord.Embed
    png: bytes | None


def _avg(value: float | None, scale: str) -> str:
    return f"{value:g}{scale}" if value is not None else "—"


async def build(
    *,
    title: str,
    checkins: list[Checkin],
    streak: int,
    assessments: list[Assessment],
    settings: Settings | None,
    today: date,
    days: int,
    for_facilitator: bool,
) -> Progress:
    entries = [c.entry for c in checkins]
    avg = logic.averages(entries)
    run = streak
    embed = discord.Embed(title=title, colour=COLOUR)
    if not checkins:
        embed.description = f"No check-ins in the last {days} days yet." + (
            "" if for_facilitator else " `/checkin now` takes under a minute, whenever you like."
        )
    else:
        embed.description = (
            f"{avg.count} check-in{'s' if avg.count != 1 else ''} in the last {days} days."
        )
    embed.add_field(name="Streak", value=f"{run} day{'s' if run != 1 else ''}")
    embed.add_field(name="Average mood", value=_avg(avg.mood, "/5"))
    embed.add_field(name="Average cravings", value=_avg(avg.cravings, "/10"))
    embed.add_field(name="Average sleep", value=_avg(avg.sleep_hours, " h"))
    latest: dict[str, Assessment] = {}
    for a in assessments:
        latest[a.instrument] = a
    for key, a in latest.items():
        name = logic.INSTRUMENTS[key].name
        embed.add_field(name=f"Latest {name}", value=f"{a.score} ({a.band})")
    if for_facilitator:
        embed.add_field(name="Prompts", value=_prompt_status(settings), inline=False)
        recent = checkins[-7:]
        if recent:
            lines = []
            for c in reversed(recent):
                used = f" · used: {logic.USED[c.used]}" if c.used else ""
                line = f"**{c.local_day:%a %b %d}** {answers_text(c.answers)}{used}"
                if c.note:
                    line += f"\n> {discord.utils.escape_markdown(c.note)[:300]}"
                lines.append(line)
            for item in lists.group_fields(lists.Group("Recent days", lines)):
                embed.add_field(name=item.name, value=item.value, inline=False)
    png = None
    if checkins or assessments:
        scores = [
            ScorePoint(a.completed_at.date(), logic.INSTRUMENTS[a.instrument].name, a.score)
            for a in assessments
            if a.completed_at is not None and a.score is not None
        ]
        start = today - timedelta(days=days - 1)
        png = await asyncio.to_thread(
            functools.partial(render_png, entries, scores, start=start, end=today, title=title)
        )
        embed.set_image(url="attachment://checkins.png")
    return Progress(embed, png)


def _prompt_status(settings: Settings | None) -> str:
    if settings is None:
        return "Never turned on."
    if not settings.enabled:
        return f"Off ({settings.stopped_reason or 'opted out'})."
    text = settings.describe()
    if settings.dm_closed_at is not None:
        when = f"{settings.dm_closed_at:%b %d}"
        text += f"\n⚠️ DMs closed: the last prompt couldn't be delivered ({when})."
    return text


def file_of(progress: Progress) -> discord.File | None:
    if progress.png is None:
        return None
    return discord.File(io.BytesIO(progress.png), filename="checkins.png")


async def load(
    prompts: PromptStore,
    records: RecordStore,
    *,
    guild_id: int,
    user_id: int,
    timezone: str,
    now: datetime,
    days: int,
    title: str,
    for_facilitator: bool,
) -> Progress:
    """Someone's last `days` days, in their own timezone (else `timezone`)."""
    settings = await prompts.settings(guild_id, user_id)
    zone = settings.timezone if settings else timezone
    today = schedule.local_day(now, zone)
    since = today - timedelta(days=days - 1)
    checkins = await records.checkins(guild_id, user_id, since)
    assessments = [
        a
        for a in await records.completed_assessments(guild_id, user_id)
        if a.completed_at is not None and a.completed_at.date() >= since
    ]
    return await build(
        title=title,
        checkins=checkins,
        streak=await records.streak(guild_id, user_id, today),
        assessments=assessments,
        settings=settings,
        today=today,
        days=days,
        for_facilitator=for_facilitator,
    )


async def send(interaction: discord.Interaction, progress: Progress) -> None:
    file = file_of(progress)
    kwargs: dict[str, Any] = {"embed": progress.embed, "ephemeral": True}
    if file is not None:
        kwargs["file"] = file
    await interaction.followup.send(**kwargs)
