"""The emulator's in-memory model of Discord: plain, mutable records.

Tests hold these objects (the driver returns them) and read their attributes; the emulator
mutates them in place, so a `Message` a test kept shows later edits and deletion.
Serialising them into Discord payloads is `payloads.py`'s job; the rules are elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Channel types (Discord's numbers).
TEXT, DM, VOICE, CATEGORY, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 1, 2, 4, 11, 12, 15
THREAD_TYPES = frozenset({10, PUBLIC_THREAD, PRIVATE_THREAD})
CHANNEL_KINDS = {"text": TEXT, "voice": VOICE, "category": CATEGORY, "forum": FORUM}

# Message flags used by the rules.
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Overwrite target types.
ROLE_OVERWRITE, MEMBER_OVERWRITE = 0, 1


@dataclass(eq=False)
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    dms_closed: bool = False
    """When True, the bot gets 403 50007 when it tries to DM this user."""

    def __repr__(self) -> str:
        return f"<User {self.username} id={self.id}>"


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None
    """Set for the bot's own integration role (managed)."""

    @property
    def is_everyone(self) -> bool:
        return self.id == self.guild_id

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def __repr__(self) -> str:
        return f"<Role {self.name} id={self.id} position={self.position}>"


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    joined_at: dt.datetime
    roles: list[int] = field(default_factory=list)
    """Role ids, never including @everyone."""
    nick: str | None = None
    communication_disabled_until: dt.datetime | None = None
    flags: int = 0

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return f"<@{self.user.id}>"

    def __repr__(self) -> str:
        return f"<Member {self.user.username} id={self.id} guild={self.guild_id}>"


@dataclass
class Overwrite:
    id: int
    type: int
    """0 = role, 1 = member."""
    allow: int = 0
    deny: int = 0


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    name: str | None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    last_message_id: int | None = None
    message_ids: list[int] = field(default_factory=list)
    # DMs
    recipients: list[int] = field(default_factory=list)
    # Threads
    owner_id: int | None = None
    thread_members: dict[int, dt.datetime] = field(default_factory=dict)
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    created_at: dt.datetime | None = None
    message_count: int = 0
    total_message_sent: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def __repr__(self) -> str:
        return f"<Channel {self.name!r} id={self.id} type={self.type}>"


@dataclass(eq=False)
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(eq=False)
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: dt.datetime | None = None
    edited_at: dt.datetime | None = None
    deleted: bool = False
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    ephemeral_for: int | None = None
    """User id that alone can see this message (ephemeral interaction responses)."""
    reactions: dict[str, set[int]] = field(default_factory=dict)
    thread_id: int | None = None
    tts: bool = False
    nonce: str | int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def custom_ids(self) -> list[str]:
        """Every component custom_id in this message, depth first."""
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def __repr__(self) -> str:
        return f"<Message id={self.id} channel={self.channel_id} content={self.content[:30]!r}>"


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    """Guild channels and threads, by id."""
    scheduled_events: dict[int, ScheduledEvent] = field(default_factory=dict)
    bot_role_id: int | None = None
    preferred_locale: str = "en-US"

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    @property
    def bot_role(self) -> Role | None:
        return self.roles.get(self.bot_role_id) if self.bot_role_id else None

    def __repr__(self) -> str:
        return f"<Guild {self.name!r} id={self.id}>"


@dataclass(eq=False)
class ScheduledEvent:
    id: int
    guild_id: int
    name: str
    scheduled_start_time: str
    entity_type: int
    privacy_level: int = 2
    status: int = 1
    channel_id: int | None = None
    scheduled_end_time: str | None = None
    description: str | None = None
    entity_metadata: dict[str, Any] | None = None
    creator_id: int | None = None
    image: str | None = None
    interested: set[int] = field(default_factory=set)


@dataclass(eq=False)
class AppCommand:
    """An application command as the bot synced it (PUT bulk overwrite or POST)."""

    id: int
    application_id: int
    name: str
    type: int
    description: str
    guild_id: int | None
    options: list[dict[str, Any]] = field(default_factory=list)
    default_member_permissions: str | None = None
    contexts: list[int] | None = None
    integration_types: list[int] | None = None
    nsfw: bool = False
    version: int = 0
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Interaction:
    """One interaction the emulator sent the bot, and what the bot did with it."""

    id: int
    token: str
    type: int
    user: User
    channel_id: int
    guild_id: int | None
    data: dict[str, Any]
    created_at: float
    """Clock time (seconds) when it was created; deadlines and token expiry count from it."""
    name: str = ""
    message_id: int | None = None
    """For component interactions: the message whose component was used."""
    response_type: int | None = None
    response_data: dict[str, Any] = field(default_factory=dict)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    edits: int = 0
    late_callbacks: int = 0
    """Responses the emulator refused because they came after the deadline."""
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All components in a tree (action rows, containers, sections, labels), depth first."""
    found: list[dict[str, Any]] = []
    for component in components:
        found.append(component)
        found.extend(walk_components(component.get("components", [])))
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                found.extend(walk_components([child]))
    return found
