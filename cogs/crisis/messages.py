"""What people and facilitators read when the crisis pipeline fires, in one place.

The person gets warmth and real lines, never a diagnosis; facilitators get what they need to
act (level, why, an excerpt, where) and nothing that pings anyone but their own role.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import discord
from discord.utils import format_dt

from bot import lists
from bot.pages import embed_size, to_embed
from bot.safety import crisis_lines, resource_line
from cogs.crisis.store import Alert, Event, LocalResource
from cogs.support.api import Shift
from config.resources import Region

LEVEL_COLOUR = {"crisis": discord.Colour.red(), "concern": discord.Colour.orange()}
STATUS_TEXT = {
    "open": "Waiting for a facilitator",
    "acknowledged": "Acknowledged",
    "reached_out": "Reached out",
    "closed": "Closed",
    "false_alarm": "False alarm",
}
EXCERPT_LIMIT = 500


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    flat = " ".join(text.split()).replace("`", "ˋ")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# Local resources in the fullest form that fits: a message's embeds hold 6,000 characters
# together, and 15 resources at their maximum sizes don't fit in full beside the crisis lines.
DETAILS = ("full", "without notes", "name and contact")
MORE_DETAIL = "`/help-now` shows every detail."


def local_lines(resources: Sequence[LocalResource], detail: str = "full") -> list[str]:
    lines = []
    for r in resources:
        hours = f" · {r.hours}" if r.hours and detail != "name and contact" else ""
        note = f" ({r.note})" if r.note and detail == "full" else ""
        lines.append(f"• {r.name}: {r.contact}{hours}{note}")
    return lines


def add_local_fields(
    embed: discord.Embed, name: str, resources: Sequence[LocalResource], *, more: str = ""
) -> bool:
    """Every resource, as fields placed first in the finished `embed`, in the fullest form
    that keeps it within Discord's limits (`more` is added when details give way). True when
    some details were left out."""
    if not resources:
        return False
    room = lists.EMBED_LIMIT - embed_size(embed)
    slots = lists.FIELD_COUNT_LIMIT - len(embed.fields)
    for detail in DETAILS:
        lines = local_lines(resources, detail)
        if detail != "full" and more:
            lines.append(more)
        fields = lists.group_fields(lists.Group(name, lines))
        if detail == DETAILS[-1] or (sum(f.size for f in fields) <= room and len(fields) <= slots):
            break
    for index, item in enumerate(fields):
        embed.insert_field_at(index, name=item.name, value=item.value, inline=False)
    return detail != "full"


def local_details(resources: Sequence[LocalResource]) -> list[discord.Embed]:
    """Every detail of every local resource, as messages of their own (for /help-now when
    its card had to leave some out)."""
    pages = lists.paginate(
        [lists.Group("Local to your program", local_lines(resources))],
        title="Local resources: every detail",
    )
    return [to_embed(page, colour=discord.Colour.red()) for page in pages]


def support_embed(
    region: Region, local: Sequence[LocalResource], guild_name: str, shift: Shift | None = None
) -> discord.Embed:
    """The private message to someone whose words suggest they may be struggling; `shift`
    says honestly whether anyone is on shift (None: not known, no promise of a time)."""
    embed = discord.Embed(
        title="You don't have to carry this alone",
        description=(
            f"Something you wrote in **{guild_name}** made me want to check in with you. "
            "If things feel heavy right now, you can talk to someone at any hour: these lines "
            "are free and confidential.\n\n" + crisis_lines(region)
        ),
        colour=discord.Colour.blurple(),
    )
    embed.add_field(
        name="Your group",
        value=who_is_there(shift) + " Lantern is not an emergency service: if you are in "
        f"danger, call **{region.emergency}** now.",
        inline=False,
    )
    add_local_fields(embed, "Near you", local, more=MORE_DETAIL)
    return embed


def channel_note(region: Region, shift: Shift | None = None) -> str:
    """Posted in the channel when DMs are closed: short, kind, and no details."""
    first = region.resources[0]
    if shift is not None and shift.on_now:
        later = "a facilitator will check in."
    elif shift is not None and shift.next_at is not None:
        starts = format_dt(shift.next_at, "F")
        later = f"a facilitator will check in when the next shift starts ({starts})."
    else:
        later = "facilitators will see this when they are next online."
    return (
        "💙 Thinking of you. If things feel heavy, "
        f"{resource_line(first).removeprefix('• ')}. Type `/help-now` any time for more "
        f"options; {later}"
    )


def help_now_embed(
    region: Region, local: Sequence[LocalResource], shift: Shift | None = None
) -> tuple[discord.Embed, list[discord.Embed]]:
    """The crisis lines first, then local ones, then (for a configured server: `shift`) who
    the "Alert a facilitator" button reaches and when; and, when local resources had to be
    shortened to fit one message, their every detail as follow-up messages."""
    embed = discord.Embed(
        title="Help, right now",
        description=(
            f"If you are in danger or might act on thoughts of harming yourself, call "
            f"**{region.emergency}** now.\n\nFree, confidential, any hour:\n"
            + crisis_lines(region, limit=6)
        ),
        colour=discord.Colour.red(),
    )
    if shift is not None:
        embed.add_field(name="Your facilitators", value=help_now_staff(shift), inline=False)
    embed.set_footer(text="Lantern is not an emergency service. Only you can see this message.")
    shortened = add_local_fields(
        embed, "Local to your program", local, more="Every detail follows below."
    )
    return embed, local_details(local) if shortened else []


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    labels = list(dict.fromkeys(r.get("label", r.get("rule", "?")) for r in reasons))
    return "\n".join(f"• {label}" for label in labels[:6]) or "• asked for help"


def alert_embed(alert: Alert, *, author: str, status_line: str | None = None) -> discord.Embed:
    title = "Crisis alert" if alert.level == "crisis" else "Concern"
    embed = discord.Embed(
        title=f"{title}: {author}",
        description=f"> {alert.excerpt}" if alert.excerpt else None,
        colour=LEVEL_COLOUR.get(alert.level, discord.Colour.orange())
        if alert.status == "open"
        else discord.Colour.dark_grey(),
        timestamp=alert.created_at,
    )
    embed.add_field(name="Who", value=f"<@{alert.user_id}>" if alert.user_id else "deleted")
    embed.add_field(name="Level", value=f"{alert.level} ({alert.score:.2f})")
    embed.add_field(
        name="Where",
        value=f"[Jump to message]({alert.jump_url})" if alert.jump_url else alert.source,
    )
    embed.add_field(name="Why", value=reasons_text(alert.reasons), inline=False)
    if alert.sent_offline_at is not None:
        embed.add_field(
            name="Sent while Lantern was offline",
            value=f"at {timestamp(alert.sent_offline_at)}: seen only when Lantern came back.",
            inline=False,
        )
    if alert.messages > 1:
        embed.add_field(name="Messages", value=f"{alert.messages} (see the thread)")
    embed.add_field(
        name="Status",
        value=status_line or STATUS_TEXT.get(alert.status, alert.status),
        inline=False,
    )
    embed.set_footer(text=f"Alert #{alert.id} · the original message is never changed by Lantern")
    return embed


def history_lines(alert: Alert, events: Sequence[Event]) -> list[str]:
    """What happened to an alert, a line a step; a run of repeats is one line."""
    lines: list[str] = []
    runs: list[list[Event]] = []
    for e in events:
        if runs and e.action == runs[-1][0].action == "realerted":
            runs[-1].append(e)
        else:
            runs.append([e])
    for run in runs:
        first, last = run[0], run[-1]
        who = f" by <@{first.actor_id}>" if first.actor_id else ""
        action = first.action.replace("_", " ")
        if len(run) > 1:
            lines.append(
                f"<t:{int(first.at.timestamp())}:t>–<t:{int(last.at.timestamp())}:t> "
                f"{action} ×{len(run)}"
            )
        else:
            lines.append(f"<t:{int(first.at.timestamp())}:t> {action}{who}")
    if alert.landed == "team":
        lines.append("(sent to the cohort's care team)")
    elif alert.landed and alert.landed != "escalation":
        lines.append(f"(posted in a fallback: {LANDED_TEXT.get(alert.landed, alert.landed)})")
    return lines


LANDED_TEXT = {
    "log": "the moderation log",
    "dm": "facilitators' DMs",
    "owner": "the server owner's DMs",
}


def timestamp(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:f>"


# --- who is there: honest about facilitators' shifts (see cogs/support/hours.py) ----------


def next_shift(shift: Shift) -> str:
    """'**Mon 09:00** (America/Chicago time): <t:…:F> where you are, <t:…:R>'."""
    if shift.next_at is None:
        return "when they are next online"
    return (
        f"**{shift.next_local()}** ({shift.zone.replace('_', ' ')} time): "
        f"{format_dt(shift.next_at, 'F')} where you are, "
        f"{format_dt(shift.next_at, 'R')}"
    )


def who_is_there(shift: Shift | None) -> str:
    """For the support DM: has anyone been told, and when will a human actually see it."""
    if shift is not None and shift.on_now:
        return (
            "A facilitator from your program is on shift now and has been let know; they will "
            "check in with you."
        )
    if shift is not None and shift.next_at is not None:
        return (
            "Nobody from your program is on shift right now, so please use the lines above if "
            "you need someone tonight: they answer any hour. Your facilitators have been let "
            f"know and will see this when the next shift starts, {next_shift(shift)}."
        )
    return (
        "Your facilitators have been let know and will see this when they are next online. "
        "Until then, the lines above answer any hour."
    )


def help_now_staff(shift: Shift) -> str:
    """For /help-now: what pressing "Alert a facilitator" will and won't do right now."""
    if shift.on_now:
        return "A facilitator is on shift now: **Alert a facilitator** below lets them know."
    if shift.next_at is not None:
        return (
            "Nobody is on shift right now, so the lines above are the quickest help. "
            "**Alert a facilitator** still lets the team know; the next shift starts "
            f"{next_shift(shift)}."
        )
    return (
        "**Alert a facilitator** lets the team know; they will see it when they are next "
        "online. The lines above answer any hour."
    )


def alerted_reply(shift: Shift | None) -> str:
    """After someone asked for a facilitator (/help-now's button, the support DM's "Talk to a
    facilitator"): the lines lead whenever nobody is on shift."""
    if shift is not None and shift.on_now:
        return (
            "A facilitator on shift has been alerted and will reach out to you. If you are in "
            "danger, please call a line above now: they answer any hour."
        )
    if shift is not None and shift.next_at is not None:
        return (
            "If you are in danger or need someone now, please call a line above: they answer "
            "any hour. A facilitator has been alerted, but nobody is on shift right now: they "
            f"will see it when the next shift starts, {next_shift(shift)}."
        )
    return (
        "If you are in danger or need someone now, please call a line above: they answer any "
        "hour. A facilitator has been alerted and will see it when they are next online."
    )
