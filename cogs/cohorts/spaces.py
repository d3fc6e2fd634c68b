"""A cohort's Discord space: its role, private category and channels, and their permissions.

Everything here is Discord I/O with one rule: what Lantern manages is described by
`expected_overwrites`, so creating, verifying, archiving and repairing all apply the same
description. @everyone never sees a cohort; its role does; facilitators see and moderate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from bot.rollback import Created
from bot.storage.guilds import GuildConfig
from cogs.cohorts.logic import slug
from cogs.cohorts.store import Cohort

log = logging.getLogger(__name__)

TEXT_PIECES = ("announcements", "group", "check-ins")
PIECES = ("category", *TEXT_PIECES, "voice")
TOPICS = {
    "announcements": "News from your facilitators. Read and react here.",
    "group": "Your cohort's own space. What's shared here stays here.",
    "check-ins": "Check-ins people chose to share with the group.",
}

Target = discord.Role | discord.Member
Overwrites = dict[Target, discord.PermissionOverwrite]


def role_name(cohort_name: str) -> str:
    return f"Cohort · {cohort_name}"


def history_role_name(cohort_name: str) -> str:
    return f"Cohort · {cohort_name} · history"


def channel_name(cohort_name: str, piece: str) -> str:
    if piece == "category":
        return cohort_name
    if piece == "voice":
        return f"{slug(cohort_name)}-voice"
    return piece


@dataclass
class Roles:
    cohort: discord.Role | None
    facilitator: discord.Role | None
    history: discord.Role | None = None


def expected_overwrites(
    guild: discord.Guild, piece: str, roles: Roles, *, archived: bool = False, keep: bool = True
) -> Overwrites:
    """The permissions Lantern keeps on one piece of a cohort's space."""
    text = piece not in ("voice",)
    overwrites: Overwrites = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        guild.me: discord.PermissionOverwrite(
            view_channel=True,
            send_messages=True,
            embed_links=True,
            attach_files=True,
            read_message_history=True,
            add_reactions=True,
            manage_messages=True,
            create_private_threads=True,
            send_messages_in_threads=True,
            manage_threads=True,
        ),
    }
    if roles.facilitator is not None:
        overwrites[roles.facilitator] = discord.PermissionOverwrite(
            view_channel=True,
            send_messages=True,
            read_message_history=True,
            add_reactions=True,
            manage_messages=True,
        )
    if roles.cohort is not None and not archived:
        overwrites[roles.cohort] = discord.PermissionOverwrite(
            view_channel=True,
            read_message_history=True,
            add_reactions=True,
            send_messages=piece != "announcements",
        )
    elif roles.cohort is not None and keep:
        overwrites[roles.cohort] = read_only(text)
    if roles.history is not None:
        overwrites[roles.history] = read_only(text)
    return overwrites


def read_only(text: bool) -> discord.PermissionOverwrite:
    if not text:  # a voice room has no history to keep
        return discord.PermissionOverwrite(view_channel=False)
    return discord.PermissionOverwrite(
        view_channel=True, read_message_history=True, send_messages=False, add_reactions=False
    )


def differences(channel: discord.abc.GuildChannel, expected: Overwrites) -> list[str]:
    """What Discord reports differently from what Lantern set (empty when verified)."""
    actual = channel.overwrites
    problems = []
    for target, overwrite in expected.items():
        if actual.get(target) != overwrite:
            who = "@everyone" if target == channel.guild.default_role else target.name
            problems.append(f"{channel.mention}: permissions for **{who}** did not stick")
    return problems


@dataclass
class Space:
    """The live Discord objects of a cohort (None where missing)."""

    role: discord.Role | None
    history_role: discord.Role | None
    channels: dict[str, discord.abc.GuildChannel | None] = field(default_factory=dict)

    def ids(self) -> dict[str, int | None]:
        found: dict[str, int | None] = {p: (c.id if c else None) for p, c in self.channels.items()}
        found["role"] = self.role.id if self.role else None
        found["history_role"] = self.history_role.id if self.history_role else None
        return found

    def missing(self) -> list[str]:
        gone = [piece for piece in PIECES if self.channels.get(piece) is None]
        return (["role"] if self.role is None else []) + gone


def roles_for(guild: discord.Guild, config: GuildConfig | None, cohort: Cohort) -> Roles:
    """The roles Lantern gives permissions to on this cohort's space, as they are now."""
    space = locate(guild, cohort)
    facilitator = config.facilitator_role_id if config is not None else None
    return Roles(
        cohort=space.role, facilitator=guild.get_role(facilitator or 0), history=space.history_role
    )


def locate(guild: discord.Guild, cohort: Cohort) -> Space:
    def get(object_id: int | None) -> discord.abc.GuildChannel | None:
        return guild.get_channel(object_id) if object_id else None

    return Space(
        role=guild.get_role(cohort.role_id) if cohort.role_id else None,
        history_role=guild.get_role(cohort.history_role_id) if cohort.history_role_id else None,
        channels={piece: get(cid) for piece, cid in cohort.channel_ids.items()},
    )


async def create_space(
    guild: discord.Guild, name: str, facilitator: discord.Role | None, created: Created
) -> tuple[Space, list[str]]:
    """Create the role, category and channels; returns them and any verification problems."""
    reason = f"Lantern: cohort {name}"
    role = await guild.create_role(name=role_name(name), mentionable=False, reason=reason)
    created.add(role)
    space = Space(role=role, history_role=None)
    roles = Roles(cohort=role, facilitator=facilitator)
    await build_missing(guild, name, space, roles, created)
    problems = verify(guild, space, roles)
    return space, problems


async def build_missing(
    guild: discord.Guild, name: str, space: Space, roles: Roles, created: Created
) -> list[str]:
    """Create every missing channel of `space` (category first); returns what was made."""
    reason = f"Lantern: cohort {name}"
    made = []
    category = space.channels.get("category")
    if not isinstance(category, discord.CategoryChannel):
        category = await guild.create_category(
            channel_name(name, "category"),
            overwrites=expected_overwrites(guild, "category", roles),
            reason=reason,
        )
        created.add(category)
        space.channels["category"] = category
        made.append("category")
    for piece in TEXT_PIECES:
        if space.channels.get(piece) is None:
            channel = await guild.create_text_channel(
                channel_name(name, piece),
                category=category,
                overwrites=expected_overwrites(guild, piece, roles),
                topic=TOPICS[piece],
                reason=reason,
            )
            created.add(channel)
            space.channels[piece] = channel
            made.append(piece)
    if space.channels.get("voice") is None:
        voice = await guild.create_voice_channel(
            channel_name(name, "voice"),
            category=category,
            overwrites=expected_overwrites(guild, "voice", roles),
            reason=reason,
        )
        created.add(voice)
        space.channels["voice"] = voice
        made.append("voice")
    return made


# Discord's caps on a server (threads don't count as channels; @everyone isn't a role here).
GUILD_CHANNEL_CAP = 500
CATEGORY_CHANNEL_CAP = 50
GUILD_ROLE_CAP = 250
TOO_MANY_CHANNELS, TOO_MANY_ROLES, INVALID_FORM = 30013, 30005, 50035


def room_problem(guild: discord.Guild) -> str | None:
    """Why a new cohort won't fit on this server (Discord's caps), or None if it will."""
    channels = len(guild.channels)
    needed = len(PIECES)
    if channels + needed > GUILD_CHANNEL_CAP:
        return (
            f"This server has {channels} of Discord's {GUILD_CHANNEL_CAP} channels; a cohort "
            f"needs {needed} (a category, three text channels and a voice channel). Delete "
            "channels you no longer use (`/cohort delete` removes an archived cohort's), then "
            "try again."
        )
    roles = len(guild.roles) - 1  # @everyone
    if roles + 1 > GUILD_ROLE_CAP:
        return (
            f"This server has {roles} of Discord's {GUILD_ROLE_CAP} roles; a cohort needs 1. "
            "Delete roles you no longer use, then try again."
        )
    return None


def refusal_text(exc: discord.HTTPException) -> str:
    """What to tell a facilitator when Discord refuses to create part of a cohort's space."""
    if exc.code == TOO_MANY_CHANNELS:
        return (
            f"Discord refused: this server has reached its {GUILD_CHANNEL_CAP}-channel limit. "
            "Delete channels you no longer use, then try again."
        )
    if exc.code == TOO_MANY_ROLES:
        return (
            f"Discord refused: this server has reached its {GUILD_ROLE_CAP}-role limit. "
            "Delete roles you no longer use, then try again."
        )
    if exc.code == INVALID_FORM and "parent_id" in (exc.text or ""):
        return (
            f"Discord refused: the cohort's category already holds {CATEGORY_CHANNEL_CAP} "
            "channels, Discord's limit. Move or delete some of its channels, then try again."
        )
    if isinstance(exc, discord.Forbidden):
        return "Discord refused: I'm missing a permission. Run `/setup check` to see which one."
    return f"Discord refused ({exc.status}: {exc.text or 'no reason given'})."


def verify(guild: discord.Guild, space: Space, roles: Roles, **state: bool) -> list[str]:
    problems = []
    for piece, channel in space.channels.items():
        if channel is None:
            problems.append(f"the {piece} channel is missing")
            continue
        problems += differences(channel, expected_overwrites(guild, piece, roles, **state))
    return problems


async def apply_permissions(
    guild: discord.Guild, space: Space, roles: Roles, *, reason: str, **state: bool
) -> list[str]:
    """Re-apply Lantern's permissions on every existing piece; returns what failed."""
    failed = []
    for piece, channel in space.channels.items():
        if channel is None:
            continue
        expected = expected_overwrites(guild, piece, roles, **state)
        # Drop overwrites for roles Lantern no longer uses, and for deleted roles/members
        # (discord.py shows those as bare Objects; Discord rejects them when sent back).
        stale = [
            t
            for t in channel.overwrites
            if t not in expected and (_managed(t, roles) or not isinstance(t, Target))
        ]
        if not differences(channel, expected) and not stale:
            continue
        merged: dict[Target, discord.PermissionOverwrite] = {
            t: o for t, o in channel.overwrites.items() if t not in stale and isinstance(t, Target)
        }
        merged.update(expected)
        try:
            await channel.edit(overwrites=merged, reason=reason)
        except discord.HTTPException as exc:
            log.warning(
                "could not set permissions",
                extra={"channel_id": channel.id, "status": exc.status, "code": exc.code},
            )
            failed.append(f"{channel.mention}: {exc.status} {exc.text or ''}".strip())
    return failed


def _managed(target: object, roles: Roles) -> bool:
    return target in (roles.cohort, roles.history)


async def rename_category(space: Space, name: str, reason: str) -> None:
    category = space.channels.get("category")
    if category is not None and category.name != name:
        await category.edit(name=name, reason=reason)


async def delete_space(space: Space, reason: str) -> list[str]:
    """Delete channels (children first) and roles; returns what could not be deleted."""
    failed = []
    order: Sequence[discord.abc.GuildChannel | discord.Role | None] = [
        *(space.channels.get(p) for p in (*TEXT_PIECES, "voice", "category")),
        space.role,
        space.history_role,
    ]
    for item in order:
        if item is None:
            continue
        try:
            await item.delete(reason=reason)
        except discord.NotFound:
            continue
        except discord.HTTPException as exc:
            failed.append(f"{item.name}: {exc.status}")
    return failed
