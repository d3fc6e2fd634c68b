"""The bodies of `/session cancel` and `/session move`: changing one session or the rest of
its series, and telling the cohort (one post, and a DM to whoever asked for DM reminders)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import discord

from bot import inputs, lists
from bot.checks import guild_of
from bot.errors import UserError
from bot.interactions import send_private
from bot.staff import post_log
from bot.storage import Transaction
from bot.storage.guilds import GuildConfig
from cogs.cohorts.api import require_reach
from cogs.sessions import logic, texts
from cogs.sessions.choices import Scope
from cogs.sessions.context import SessionsContext
from cogs.sessions.records import Series, Session, session_name
from cogs.sessions.recurrence import (
    RecurrenceError,
    Rule,
    format_clock,
    format_when,
    parse_date,
    parse_duration,
    parse_time,
    resolve_local,
    to_local,
)
from cogs.sessions.store import SessionStore

SHOWN_CHANGES = 10  # sessions named in a change summary; "…and N more" after them


async def _start(
    ctx: SessionsContext, interaction: discord.Interaction, session: str, message: str | None
) -> tuple[GuildConfig, discord.Guild, Session, datetime, str | None]:
    """What `/session cancel` and `/session move` start from, checked alike."""
    config, reach = await require_reach(interaction)
    guild = guild_of(interaction)
    if message is not None:  # given but blank is a mistake, not "no message"
        message = inputs.text(message, "message", max_length=500, single_line=False)
    target = await ctx.session(guild, session)
    reach.require(target.cohort_id)
    return config, guild, target, ctx.now(), message


async def cancel(
    ctx: SessionsContext, interaction: discord.Interaction, session: str, scope: Scope,
    message: str | None,
) -> None:  # fmt: skip
    config, guild, target, now, message = await _start(ctx, interaction, session, message)
    if target.cancelled:
        raise UserError("That session is already cancelled.")
    if target.starts_at <= now:
        raise UserError("That session has already started; it can't be cancelled.")
    await interaction.response.defer(ephemeral=True, thinking=True)
    if scope == "this":
        affected = [target]
        async with ctx.bot.db.transaction() as tx:
            await ctx.store.cancel(tx, target.id, message)
    else:
        affected = await _from_here(ctx.store, target)
        series = await ctx.store.series(target.series_id)
        async with ctx.bot.db.transaction() as tx:
            await _end_series_before(ctx.store, tx, series, target)
            for s in affected:
                await ctx.store.cancel(tx, s.id, message)
    await ctx.planner.plan([s.id for s in affected], now)
    await ctx.after_change(guild.id)
    summary = _change_summary(affected, "is cancelled", "are cancelled")
    if scope == "following":
        summary += "\nLater sessions of this series won't happen either."
    posted, dms = await ctx.sender.announce_change(
        affected, texts.CANCELLED_TITLE, summary, message
    )
    await post_log(
        ctx.bot.outbox,
        guild,
        config,
        lists.shorten(f"{interaction.user.mention} cancelled: {summary}", 2000),
    )
    await send_private(interaction, told(summary, posted, dms))


async def move(
    ctx: SessionsContext, interaction: discord.Interaction, session: str, *, date: str | None,
    at: str | None, duration: str | None, scope: Scope, message: str | None,
) -> None:  # fmt: skip
    config, guild, target, now, message = await _start(ctx, interaction, session, message)
    if target.cancelled:
        raise UserError("That session is cancelled; add a new one instead.")
    if target.starts_at <= now:
        raise UserError("That session has already started; it can't be moved.")
    if date is None and at is None and duration is None:
        raise UserError("Give a new `date`, `time` or `duration`.")
    if scope == "following" and date is not None:
        raise UserError(
            "A new date only works for a single session. To change the days of a series, "
            "delete it and add it again."
        )
    zone = target.timezone
    current = to_local(target.starts_at, zone)
    try:
        # "" is a value given (and refused), not a value left out.
        day = parse_date(date, "new") if date is not None else current.date()
        start_time = logic.named("time", parse_time, at) if at is not None else current.time()
        minutes = (
            logic.named("duration", parse_duration, duration)
            if duration is not None
            else int((target.ends_at - target.starts_at).total_seconds() // 60)
        )
    except RecurrenceError as exc:
        raise UserError(str(exc)) from None
    starts = resolve_local(datetime.combine(day, start_time), zone)
    if starts <= now:
        raise UserError(
            f"`{'date' if date else 'time'}`: {format_when(starts, zone)} is in the past. "
            "Choose a later time."
        )
    await interaction.response.defer(ephemeral=True, thinking=True)
    series = await ctx.store.series(target.series_id)
    if scope == "this" or series is None or not series.weekdays:
        affected = [target]
        async with ctx.bot.db.transaction() as tx:
            await ctx.store.move(
                tx, target.id, starts, starts + timedelta(minutes=minutes), message
            )
        await ctx.planner.plan([target.id], now)
        moved = await ctx.store.sessions_by_ids([target.id])
    else:
        affected, moved = await _split_series(ctx, series, target, start_time, minutes, now)
    await ctx.after_change(guild.id)
    before = _change_summary(affected, "", "")
    after = "\n".join(
        f"• {session_name(s)}: **{format_when(s.starts_at, s.timezone)}** to "
        f"{format_clock(to_local(s.ends_at, s.timezone))}"
        for s in moved[:SHOWN_CHANGES]
    )
    if len(moved) > SHOWN_CHANGES:
        after += f"\n…and {len(moved) - SHOWN_CHANGES} more"
    summary = f"Was:\n{before}\nNow:\n{after}"
    if scope == "following":
        summary += "\nLater sessions of this series follow the new time."
    posted, dms = await ctx.sender.announce_change(moved, texts.MOVED_TITLE, summary, message)
    await post_log(
        ctx.bot.outbox,
        guild,
        config,
        lists.shorten(f"{interaction.user.mention} moved sessions.\n{summary}", 2000),
    )
    await send_private(interaction, told(summary, posted, dms))


async def _from_here(store: SessionStore, target: Session) -> list[Session]:
    """This session and every later one of its series that isn't cancelled."""
    later = await store.sessions_of_series(target.series_id, target.starts_at)
    day = target.original_start.date()
    return [s for s in later if s.original_start.date() >= day and not s.cancelled]


async def _end_series_before(
    store: SessionStore, tx: Transaction, series: Series | None, target: Session
) -> None:
    """The series stops the day before `target` (or goes entirely if that's its start)."""
    if series is None:
        return
    day = target.original_start.date()
    if day <= series.starts_on:
        await store.delete_series(tx, series.id)
    else:
        await store.end_series(tx, series.id, day - timedelta(days=1))


async def _split_series(
    ctx: SessionsContext, series: Series, target: Session, start_time: time, minutes: int,
    now: datetime,
) -> tuple[list[Session], list[Session]]:  # fmt: skip
    """ "This and following": the series ends before `target`; a new series with the new
    time takes over from its date (past sessions keep their history). Single changes
    made to the later sessions are replaced by the new time."""
    store = ctx.store
    affected = await _from_here(store, target)
    await ctx.events.delete_events(target.guild_id, affected)
    day = target.original_start.date()
    rule = Rule(series.weekdays, start_time, minutes, series.timezone, day, series.ends_on)
    async with ctx.bot.db.transaction() as tx:
        await _end_series_before(store, tx, series, target)
        later = await store.sessions_of_series(series.id, target.starts_at)
        await store.delete_occurrences(tx, [s.id for s in later if s.original_start.date() >= day])
        new_id = await store.add_series(
            tx, guild_id=series.guild_id, cohort_id=series.cohort_id, title=series.title,
            kind=series.kind, rule=rule, location=series.location, link=series.link,
            by=0, now=now,
        )  # fmt: skip
    new_series = await store.series(new_id)
    assert new_series is not None  # noqa: S101
    await ctx.planner.extend(now, [new_series])
    moved = await store.sessions_of_series(new_id, now)
    return affected, moved


def _change_summary(sessions: list[Session], one: str, many: str) -> str:
    lines = [
        f"• {session_name(s)}: **{format_when(s.starts_at, s.timezone)}**"
        for s in sessions[:SHOWN_CHANGES]
    ]
    if len(sessions) > SHOWN_CHANGES:
        lines.append(f"…and {len(sessions) - SHOWN_CHANGES} more")
    verb = one if len(sessions) == 1 else many
    return "\n".join(lines) + (f" {verb}" if verb else "")


def told(summary: str, posted: bool, dms: int) -> str:
    """The facilitator's reply: what changed, and who was told."""
    heard = "Posted in the cohort's announcements" if posted else "I couldn't post it"
    heard += f" and sent {dms} DM(s)." if dms else "."
    # A reply holds 2,000 characters: ten long titles before and after a move pass that.
    # Whole lines only, then "…": the announcement itself lists every session.
    chunks = lists.pack(summary.splitlines(), 2000 - len("Done.\n\n\n…") - len(heard))
    shown = chunks[0] + ("\n…" if len(chunks) > 1 else "")
    return f"Done.\n{shown}\n{heard}"
