"""Threads: start from a message or without one (public or private, forum posts too),
join, add and remove members, list active and archived threads.

Rules: CREATE_PUBLIC_THREADS / CREATE_PRIVATE_THREADS to start; a thread started from a
message has that message's id; adding someone needs SEND_MESSAGES_IN_THREADS and an
unarchived thread; a private thread is visible only to its members and MANAGE_THREADS.
Names are 1-100 characters; a server has at most 1,000 active threads (160006).
"""

from __future__ import annotations

from typing import Any

from emulator import limits, messaging, payloads
from emulator.access import (
    bot_channel,
    guild_or_404,
    member_or_404,
    message_or_404,
    perms_in,
    require,
)
from emulator.errors import ApiError, invalid_form, unknown
from emulator.model import FORUM, PRIVATE_THREAD, PUBLIC_THREAD, TEXT, Channel
from emulator.permissions import P
from emulator.server import ApiRequest, Reply, RouteTable
from emulator.state import World

routes = RouteTable()
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


def new_thread(
    world: World, parent: Channel, body: dict[str, Any], *, kind: int, thread_id: int
) -> Channel:
    name = str(body.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("Must be between 1 and 100 in length.", "name")
    guild = world.guilds[parent.guild_id or 0]
    limits.check_room_for_thread(
        sum(1 for c in guild.channels.values() if c.is_thread and not c.archived)
    )
    duration = int(body.get("auto_archive_duration") or 1440)
    if duration not in ARCHIVE_DURATIONS:
        raise invalid_form(
            "auto_archive_duration must be 60, 1440, 4320 or 10080", "auto_archive_duration"
        )
    now = world.clock.now()
    thread = Channel(
        id=thread_id,
        type=kind,
        name=name,
        guild_id=parent.guild_id,
        parent_id=parent.id,
        owner_id=world.bot.id,
        auto_archive_duration=duration,
        invitable=bool(body.get("invitable", True)),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        created_at=now,
        thread_members={world.bot.id: now},
    )
    return world.add_channel(thread)


@routes("POST", "/channels/{channel_id}/messages/{message_id}/threads")
async def thread_from_message(req: ApiRequest) -> Any:
    world = req.world
    parent, bits = bot_channel(world, req.id("channel_id"))
    if parent.type != TEXT and parent.type != 5:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    require(bits, P.CREATE_PUBLIC_THREADS, f"starting a thread in #{parent.name}")
    message = message_or_404(world, parent, req.id("message_id"))
    if message.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    thread = new_thread(world, parent, await req.body(), kind=PUBLIC_THREAD, thread_id=message.id)
    message.thread_id = thread.id
    req.events.channel_event("CHANNEL_CREATE", thread)
    return Reply(payloads.thread(thread, member_of=world.bot.id), 201)


@routes("POST", "/channels/{channel_id}/threads")
async def thread_without_message(req: ApiRequest) -> Any:
    world = req.world
    parent, bits = bot_channel(world, req.id("channel_id"))
    forum = parent.type == FORUM
    body = await req.body(
        schema="CreateForumThreadRequest" if forum else "CreateTextThreadWithoutMessageRequest"
    )
    if forum:
        return await _forum_post(req, parent, bits, body)
    if parent.type != TEXT and parent.type != 5:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    kind = int(body.get("type") or PRIVATE_THREAD)
    if kind == PRIVATE_THREAD:
        require(bits, P.CREATE_PRIVATE_THREADS, f"starting a private thread in #{parent.name}")
    elif kind == PUBLIC_THREAD:
        require(bits, P.CREATE_PUBLIC_THREADS, f"starting a thread in #{parent.name}")
    else:
        raise invalid_form("type must be 11 or 12", "type")
    thread = new_thread(world, parent, body, kind=kind, thread_id=world.ids.next())
    req.events.channel_event("CHANNEL_CREATE", thread)
    return Reply(payloads.thread(thread, member_of=world.bot.id), 201)


async def _forum_post(req: ApiRequest, forum: Channel, bits: int, body: dict[str, Any]) -> Any:
    world = req.world
    require(bits, P.SEND_MESSAGES, f"posting in forum #{forum.name}")
    thread = new_thread(world, forum, body, kind=PUBLIC_THREAD, thread_id=world.ids.next())
    starter = messaging.build(
        world,
        req.config,
        thread,
        world.bot,
        body.get("message") or {},
        req.files,
        prefix=("message",),
    )
    world.messages.pop(starter.id)
    starter.id = thread.id
    world.messages[starter.id] = starter
    thread.message_ids[-1] = thread.last_message_id = starter.id
    req.events.channel_event("CHANNEL_CREATE", thread)
    req.events.message_create(starter)
    data = payloads.thread(thread, member_of=world.bot.id)
    data["message"] = payloads.message(world, starter)
    return Reply(data, 201)


def _thread(req: ApiRequest) -> tuple[Channel, int]:
    thread, bits = bot_channel(req.world, req.id("channel_id"))
    if not thread.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return thread, bits


@routes("PUT", "/channels/{channel_id}/thread-members/@me")
async def join_thread(req: ApiRequest) -> Any:
    thread, _ = _thread(req)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    bot_id = req.world.bot.id
    if bot_id not in thread.thread_members:
        thread.thread_members[bot_id] = req.world.clock.now()
        req.events.thread_members_update(thread, added=[bot_id])
    return None


@routes("PUT", "/channels/{channel_id}/thread-members/{user_id}")
async def add_thread_member(req: ApiRequest) -> Any:
    world = req.world
    thread, bits = _thread(req)
    require(bits, P.SEND_MESSAGES_IN_THREADS, f"adding someone to thread {thread.name!r}")
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    guild = world.guilds[thread.guild_id or 0]
    member = member_or_404(guild, req.id("user_id"))
    if member.id not in thread.thread_members:
        thread.thread_members[member.id] = world.clock.now()
        req.events.thread_members_update(thread, added=[member.id])
    return None


@routes("DELETE", "/channels/{channel_id}/thread-members/@me")
async def leave_thread(req: ApiRequest) -> Any:
    thread, _ = _thread(req)
    bot_id = req.world.bot.id
    if thread.thread_members.pop(bot_id, None) is not None:
        req.events.thread_members_update(thread, removed=[bot_id])
    return None


@routes("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
async def remove_thread_member(req: ApiRequest) -> Any:
    thread, bits = _thread(req)
    if not (thread.owner_id == req.world.bot.id and thread.type == PRIVATE_THREAD):
        require(bits, P.MANAGE_THREADS, f"removing someone from thread {thread.name!r}")
    user_id = req.id("user_id")
    if thread.thread_members.pop(user_id, None) is None:
        raise unknown("member")
    req.events.thread_members_update(thread, removed=[user_id])
    return None


@routes("GET", "/channels/{channel_id}/thread-members")
async def thread_members(req: ApiRequest) -> Any:
    thread, _ = _thread(req)
    return [payloads.thread_member(thread, u) for u in thread.thread_members]


@routes("GET", "/channels/{channel_id}/thread-members/{user_id}")
async def thread_member(req: ApiRequest) -> Any:
    thread, _ = _thread(req)
    if req.id("user_id") not in thread.thread_members:
        raise unknown("member")
    return payloads.thread_member(thread, req.id("user_id"))


def _listing(world: World, threads: list[Channel]) -> dict[str, Any]:
    bot_id = world.bot.id
    return {
        "threads": [payloads.thread(t, member_of=bot_id) for t in threads],
        "members": [
            payloads.thread_member(t, bot_id) for t in threads if bot_id in t.thread_members
        ],
        "has_more": False,
    }


@routes("GET", "/guilds/{guild_id}/threads/active")
async def active_threads(req: ApiRequest) -> Any:
    world = req.world
    guild = guild_or_404(world, req.id("guild_id"))
    threads = [
        c
        for c in guild.channels.values()
        if c.is_thread and not c.archived and perms_in(world, world.bot.id, c) & P.VIEW_CHANNEL
    ]
    listing = _listing(world, threads)
    listing.pop("has_more")
    return listing


@routes("GET", "/channels/{channel_id}/threads/archived/public")
async def archived_public(req: ApiRequest) -> Any:
    world = req.world
    parent, bits = bot_channel(world, req.id("channel_id"))
    require(bits, P.READ_MESSAGE_HISTORY, "listing archived threads")
    return _listing(world, _archived(world, parent, PUBLIC_THREAD))


@routes("GET", "/channels/{channel_id}/threads/archived/private")
async def archived_private(req: ApiRequest) -> Any:
    world = req.world
    parent, bits = bot_channel(world, req.id("channel_id"))
    require(bits, P.READ_MESSAGE_HISTORY | P.MANAGE_THREADS, "listing archived private threads")
    return _listing(world, _archived(world, parent, PRIVATE_THREAD))


def _archived(world: World, parent: Channel, kind: int) -> list[Channel]:
    guild = world.guilds[parent.guild_id or 0]
    return [
        c
        for c in guild.channels.values()
        if c.type == kind and c.parent_id == parent.id and c.archived
    ]
