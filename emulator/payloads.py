"""Serialisers: model records -> the JSON payloads Discord sends (shaped by discord/types/).

Ids are strings, permissions are strings, times are ISO 8601 with an offset, and the fields
discord.py 2.7 reads without `.get` (member `flags`, role `colors`, thread metadata...) are
always present.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from emulator.model import (
    CATEGORY,
    DM,
    FORUM,
    VOICE,
    AppCommand,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    ScheduledEvent,
    User,
)
from emulator.permissions import P, channel_permissions
from emulator.state import World

Payload = dict[str, Any]


def iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when else None


def snowflake(value: int | None) -> str | None:
    return None if value is None else str(value)


def user(u: User) -> Payload:
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "bot": u.bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def member(m: Member, *, with_user: bool = True, permissions: int | None = None) -> Payload:
    data: Payload = {
        "roles": [str(r) for r in m.roles],
        "joined_at": iso(m.joined_at),
        "deaf": False,
        "mute": False,
        "flags": m.flags,
        "pending": False,
        "premium_since": None,
        "avatar": None,
        "nick": m.nick,
        "communication_disabled_until": iso(m.communication_disabled_until),
    }
    if with_user:
        data["user"] = user(m.user)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def member_event(m: Member) -> Payload:
    """GUILD_MEMBER_ADD/UPDATE body: the member with user, plus guild_id."""
    return {**member(m), "guild_id": str(m.guild_id)}


def role(r: Role) -> Payload:
    data: Payload = {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
        "icon": None,
        "unicode_emoji": None,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def overwrites(c: Channel) -> list[Payload]:
    return [
        {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
        for o in c.overwrites.values()
    ]


def thread_member(thread: Channel, user_id: int) -> Payload:
    joined = thread.thread_members.get(user_id)
    return {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": iso(joined),
        "flags": 0,
    }


def channel(world: World, c: Channel, *, member_of: int | None = None) -> Payload:
    """A channel payload; `member_of` adds the thread `member` object for that user."""
    if c.type == DM:
        return {
            "id": str(c.id),
            "type": DM,
            "last_message_id": snowflake(c.last_message_id),
            "recipients": [user(world.users[u]) for u in c.recipients],
            "flags": 0,
        }
    if c.is_thread:
        return thread(c, member_of=member_of)
    data: Payload = {
        "id": str(c.id),
        "type": c.type,
        "guild_id": snowflake(c.guild_id),
        "name": c.name,
        "position": c.position,
        "permission_overwrites": overwrites(c),
        "nsfw": c.nsfw,
        "parent_id": snowflake(c.parent_id),
        "flags": 0,
    }
    if c.type != CATEGORY:
        data.update(
            topic=c.topic,
            last_message_id=snowflake(c.last_message_id),
            rate_limit_per_user=c.rate_limit_per_user,
        )
    if c.type == VOICE:
        data.update(bitrate=64000, user_limit=0, rtc_region=None)
    if c.type == FORUM:
        data.update(
            available_tags=[],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_forum_layout=0,
        )
    return data


def thread(c: Channel, *, member_of: int | None = None) -> Payload:
    created = iso(c.created_at)
    data: Payload = {
        "id": str(c.id),
        "type": c.type,
        "guild_id": snowflake(c.guild_id),
        "parent_id": snowflake(c.parent_id),
        "owner_id": snowflake(c.owner_id),
        "name": c.name,
        "last_message_id": snowflake(c.last_message_id),
        "rate_limit_per_user": c.rate_limit_per_user,
        "message_count": c.message_count,
        "member_count": min(len(c.thread_members), 50),
        "total_message_sent": c.total_message_sent,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": c.archived,
            "auto_archive_duration": c.auto_archive_duration,
            "archive_timestamp": created,
            "locked": c.locked,
            "invitable": c.invitable,
            "create_timestamp": created,
        },
    }
    if member_of is not None and member_of in c.thread_members:
        data["member"] = thread_member(c, member_of)
    return data


def attachment(a: Attachment) -> Payload:
    data: Payload = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "flags": 0,
    }
    if a.content_type:
        data["content_type"] = a.content_type
    if a.description:
        data["description"] = a.description
    return data


def reactions(world: World, m: Message) -> list[Payload]:
    out = []
    for key, users in m.reactions.items():
        if not users:
            continue
        name, _, emoji_id = key.partition(":")
        out.append(
            {
                "count": len(users),
                "me": world.bot.id in users,
                "me_burst": False,
                "emoji": {"id": emoji_id or None, "name": name},
                "count_details": {"burst": 0, "normal": len(users)},
                "burst_colors": [],
            }
        )
    return out


def message(world: World, m: Message, *, nested: bool = False) -> Payload:
    data: Payload = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "author": user(m.author),
        "content": m.content,
        "timestamp": iso(m.timestamp),
        "edited_timestamp": iso(m.edited_at),
        "tts": m.tts,
        "mention_everyone": m.mention_everyone,
        "mentions": [_mentioned(world, m, uid) for uid in m.mentions if uid in world.users],
        "mention_roles": [str(r) for r in m.mention_roles],
        "attachments": [attachment(a) for a in m.attachments],
        "embeds": m.embeds,
        "components": m.components,
        "pinned": False,
        "type": m.type,
        "flags": m.flags,
    }
    if m.guild_id is not None:
        data["guild_id"] = str(m.guild_id)
        author_member = world.member(m.guild_id, m.author.id)
        if author_member is not None and m.webhook_id is None:
            data["member"] = member(author_member, with_user=False)
    if m.reactions:
        data["reactions"] = reactions(world, m)
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
    if m.application_id is not None:
        data["application_id"] = str(m.application_id)
    if m.nonce is not None:
        data["nonce"] = m.nonce
    if m.reference is not None:
        data["message_reference"] = m.reference
        ref = world.messages.get(int(m.reference.get("message_id") or 0))
        if not nested:
            data["referenced_message"] = (
                message(world, ref, nested=True) if ref and not ref.deleted else None
            )
    if m.interaction_id is not None and m.interaction_id in world.interactions:
        data["interaction_metadata"] = interaction_metadata(world, m)
    if m.thread_id is not None and m.thread_id in world.channels:
        data["thread"] = thread(world.channels[m.thread_id])
    return data


def _mentioned(world: World, m: Message, user_id: int) -> Payload:
    data = user(world.users[user_id])
    mentioned_member = world.member(m.guild_id, user_id)
    if mentioned_member is not None:
        data["member"] = member(mentioned_member, with_user=False)
    return data


def interaction_metadata(world: World, m: Message) -> Payload:
    inter = world.interactions[m.interaction_id or 0]
    owners = {"0": str(inter.guild_id)} if inter.guild_id else {"1": str(inter.user.id)}
    data: Payload = {
        "id": str(inter.id),
        "type": inter.type,
        "user": user(inter.user),
        "authorizing_integration_owners": owners,
    }
    if inter.type == 2:
        data["name"] = inter.name
    if inter.message_id is not None:
        data["interacted_message_id"] = str(inter.message_id)
    if inter.original_message_id is not None and inter.original_message_id != m.id:
        data["original_response_message_id"] = str(inter.original_message_id)
    return data


def guild_base(g: Guild) -> Payload:
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "region": "us-central",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "preferred_locale": g.preferred_locale,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [role(r) for r in sorted(g.roles.values(), key=lambda r: r.position)],
        "max_members": 500000,
        "incidents_data": None,
    }


def guild_create(world: World, g: Guild, *, for_user: int, with_members: bool) -> Payload:
    """The full GUILD_CREATE body as `for_user` (the bot) receives it.

    `member_count` always equals the number of members sent when members are included,
    so discord.py does not ask for chunks (pitfall 4).
    """
    members = list(g.members.values()) if with_members else []
    if not with_members and for_user in g.members:
        members = [g.members[for_user]]
    me = g.members.get(for_user)
    now = world.clock.now()
    threads = [
        c
        for c in g.channels.values()
        if c.is_thread
        and not c.archived
        and me is not None
        and channel_permissions(g, me, c, now) & P.VIEW_CHANNEL
    ]
    return {
        **guild_base(g),
        "joined_at": iso(me.joined_at) if me else None,
        "large": len(g.members) > 250,
        "unavailable": False,
        "member_count": len(g.members),
        "members": [member(m) for m in members],
        "channels": [channel(world, c) for c in g.channels.values() if not c.is_thread],
        "threads": [thread(c, member_of=for_user) for c in threads],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [scheduled_event(world, e) for e in g.scheduled_events.values()],
        "soundboard_sounds": [],
    }


def command(c: AppCommand) -> Payload:
    data: Payload = {
        **c.raw,
        "id": str(c.id),
        "application_id": str(c.application_id),
        "name": c.name,
        "type": c.type,
        "description": c.description,
        "options": c.options,
        "default_member_permissions": c.default_member_permissions,
        "nsfw": c.nsfw,
        "version": str(c.version),
    }
    if c.contexts is not None:
        data["contexts"] = c.contexts
    if c.integration_types is not None:
        data["integration_types"] = c.integration_types
    if c.guild_id is not None:
        data["guild_id"] = str(c.guild_id)
    return data


def scheduled_event(world: World, e: ScheduledEvent) -> Payload:
    data: Payload = {
        "id": str(e.id),
        "guild_id": str(e.guild_id),
        "channel_id": snowflake(e.channel_id),
        "creator_id": snowflake(e.creator_id),
        "name": e.name,
        "description": e.description,
        "scheduled_start_time": e.scheduled_start_time,
        "scheduled_end_time": e.scheduled_end_time,
        "privacy_level": e.privacy_level,
        "status": e.status,
        "entity_type": e.entity_type,
        "entity_id": None,
        "entity_metadata": e.entity_metadata,
        "user_count": len(e.interested),
        "image": e.image,
    }
    if e.creator_id is not None and e.creator_id in world.users:
        data["creator"] = user(world.users[e.creator_id])
    return data
