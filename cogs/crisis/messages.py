"""What people and facilitators read when the crisis pipeline fires, in one place.

The person gets warmth and real lines, never a diagnosis; facilitators get what they need to
act (level, why, an excerpt, where) and nothing that pings anyone but their own role.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import discord

from bot import lists
from bot.safety import crisis_lines, resource_line
from cogs.crisis.store import Alert, Event, LocalResource
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


def local_lines(resources: Sequence[LocalResource]) -> list[str]:
    lines = []
    for r in resources:
        hours = f" · {r.hours}" if r.hours else ""
        note = f" ({r.note})" if r.note else ""
        lines.append(f"• {r.name}: {r.contact}{hours}{note}")
    return lines


def add_local_fields(embed: discord.Embed, name: str, resources: Sequence[LocalResource]) -> None:
    if not resources:
        return
    for item in lists.group_fields(lists.Group(name, local_lines(resources))):
        embed.add_field(name=item.name, value=item.value, inline=False)


def support_embed(region: Region, local: Sequence[LocalResource], guild_name: str) -> discord.Embed:
    """The private message to someone whose words suggest they may be struggling."""
    embed = discord.Embed(
        title="You don't have to carry this alone",
        description=(
            f"Something you wrote in **{guild_name}** made me want to check in with you. "
            "If things feel heavy right now, you can talk to someone at any hour: these lines "
            "are free and confidential.\n\n" + crisis_lines(region)
        ),
        colour=discord.Colour.blurple(),
    )
    add_local_fields(embed, "Near you", local)
    embed.add_field(
        name="Your group",
        value="A facilitator from your program has been let know and will check in with you. "
        "Lantern is not an emergency service: if you are in danger, call "
        f"**{region.emergency}** now.",
        inline=False,
    )
    return embed


def channel_note(region: Region) -> str:
    """Posted in the channel when DMs are closed: short, kind, and no details."""
    first = region.resources[0]
    return (
        "💙 Thinking of you. If things feel heavy, "
        f"{resource_line(first).removeprefix('• ')}. Type `/help-now` any time for more "
        "options; a facilitator will check in."
    )


def help_now_embed(region: Region, local: Sequence[LocalResource]) -> discord.Embed:
    embed = discord.Embed(
        title="Help, right now",
        description=(
            f"If you are in danger or might act on thoughts of harming yourself, call "
            f"**{region.emergency}** now.\n\nFree, confidential, any hour:\n"
            + crisis_lines(region, limit=6)
        ),
        colour=discord.Colour.red(),
    )
    add_local_fields(embed, "Local to your program", local)
    embed.set_footer(text="Lantern is not an emergency service. Only you can see this message.")
    return embed


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
    if alert.landed and alert.landed != "escalation":
        lines.append(f"(posted in a fallback: {LANDED_TEXT.get(alert.landed, alert.landed)})")
    return lines


LANDED_TEXT = {
    "log": "the moderation log",
    "dm": "facilitators' DMs",
    "owner": "the server owner's DMs",
}


def timestamp(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:f>"
