"""`/setup hours` (declared in cogs/setup, handled here): the server's staffed hours and how
long a conversation may wait before it is announced again."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.checks import guild_of, require_facilitator_any
from bot.errors import UserError
from bot.interactions import send_private
from cogs.support.hours import (
    HoursError,
    Shift,
    describe,
    is_staffed,
    next_staffed,
    parse,
    shift_at,
)
from cogs.support.settings_store import SettingsStore
from cogs.support.texts import when

if TYPE_CHECKING:
    from bot.client import LanternBot

log = logging.getLogger(__name__)


async def current_shift(bot: LanternBot, guild_id: int, server_zone: str | None) -> Shift:
    """Is a facilitator on shift now on this server, and if not, when is the next shift?
    (The crisis texts ask; the hours' own zone wins over the server's, as for `/talk`.)"""
    windows, zone = await SettingsStore(bot.db).hours(guild_id)
    return shift_at(windows, zone or server_zone or "UTC", bot.clock.now())


async def setup_hours(
    bot: LanternBot,
    interaction: discord.Interaction,
    schedule: str | None,
    reannounce_minutes: int | None,
    clear: bool,
) -> None:
    """Validate everything first, then save in one go: bad input changes nothing."""
    config = await require_facilitator_any(interaction)
    guild = guild_of(interaction)
    store = SettingsStore(bot.db)
    zone = config.timezone if config else None
    windows = None
    if schedule is not None and clear:
        raise UserError("Choose either `schedule` or `clear`, not both. Nothing was changed.")
    if schedule is not None:
        if zone is None:
            raise UserError(
                "Set the server's timezone first (`/setup server timezone:`), so the hours mean "
                "the right thing. Nothing was changed."
            )
        try:
            windows = parse(schedule)
        except HoursError as exc:
            raise UserError(f"{exc} Nothing was changed.") from None
    now = bot.clock.now()
    if clear:
        windows = []
    if windows is not None:
        await store.set_hours(guild.id, windows, zone or "UTC")
    if reannounce_minutes is not None:
        await store.set_reannounce_minutes(guild.id, reannounce_minutes, now)
    if windows is not None or reannounce_minutes is not None:
        log.info("staffed hours saved", extra={"guild_id": guild.id})
    current, saved_zone = await store.hours(guild.id)
    minutes = await store.reannounce_minutes(guild.id)
    embed = discord.Embed(title="Staffed hours", colour=discord.Colour.blurple())
    if current:
        shown_zone = saved_zone or zone or "UTC"
        embed.description = f"On the wall clock of **{shown_zone}**:\n" + describe(current)
        if is_staffed(current, shown_zone, now):
            embed.add_field(name="Right now", value="on shift")
        else:
            later = next_staffed(current, shown_zone, now)
            embed.add_field(
                name="Right now", value=f"off shift until {when(later) if later else '?'}"
            )
    else:
        embed.description = (
            "No staffed hours set: `/talk` promises no times. Set them with e.g. "
            "`/setup hours schedule: Mon-Fri 09:00-17:00; Sat 10:00-14:00`."
        )
    embed.add_field(
        name="Unanswered conversations",
        value=f"announced again every {minutes} minute(s), during staffed hours",
    )
    await send_private(interaction, embed=embed)
