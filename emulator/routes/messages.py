"""Channel messages: send (JSON or multipart with files), read history, edit, delete,
bulk delete, reactions, typing. DMs to a user with DMs closed (or sharing no guild with the
bot) answer 403 50007, as Discord does.

Send with `nonce` + `enforce_nonce` (discord.py 2.7 sends both whenever given a nonce): a
message the bot created with that nonce in the same channel within the last five minutes
(emulator clock) is returned as is, and nothing is created or dispatched.
History is newest first for every query (before, after, around or none), as Discord's docs
say; `after` gives the `limit` messages right after that id (the oldest ones), still newest
first. Without READ_MESSAGE_HISTORY it is an empty list, not an error (documented).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from emulator import messaging, payloads
from emulator.access import bot_channel, message_or_404, require
from emulator.errors import ApiError, cannot_dm, invalid_form
from emulator.model import CATEGORY, VOICE, Channel, Message
from emulator.permissions import P
from emulator.server import ApiRequest, RouteTable
from emulator.state import DISCORD_EPOCH_MS, World

routes = RouteTable()


def check_can_send(world: World, channel: Channel, bits: int) -> None:
    """The bot may post in `channel` (DM open, channel type, thread state, permissions)."""
    if channel.is_dm:
        recipient = world.users[channel.recipients[0]]
        if recipient.dms_closed or not world.shared_guild(world.bot.id, recipient.id):
            raise cannot_dm()
        return
    if channel.type in (CATEGORY,):
        raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
    if channel.is_thread:
        require(bits, P.SEND_MESSAGES_IN_THREADS, f"sending in thread {channel.name!r}")
        if channel.locked and not bits & P.MANAGE_THREADS:
            raise ApiError(400, 50083, "Thread is locked")
    else:
        require(bits, P.SEND_MESSAGES, f"sending in #{channel.name}")


def unarchive_if_needed(req: ApiRequest, channel: Channel) -> None:
    if channel.is_thread and channel.archived:
        channel.archived = False
        req.events.channel_event("CHANNEL_UPDATE", channel)


@routes("POST", "/channels/{channel_id}/messages")
async def create_message(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    check_can_send(world, channel, bits)
    body = await req.body()
    messaging.check_nonce(body)
    if body.get("nonce") is not None and body.get("enforce_nonce"):
        # A retry of a send that already went through: the same message, nothing dispatched.
        earlier = messaging.same_nonce(world, channel, world.bot, body["nonce"])
        if earlier is not None:
            return payloads.message(world, earlier)
    if req.files:
        require(bits, P.ATTACH_FILES, "sending files")
    if body.get("message_reference"):
        require(bits, P.READ_MESSAGE_HISTORY, "replying to a message")
    unarchive_if_needed(req, channel)
    message = messaging.build(world, req.config, channel, world.bot, body, req.files)
    req.events.message_create(message)
    return payloads.message(world, message)


@routes("GET", "/channels/{channel_id}/messages")
async def history(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    limit = int(req.query.get("limit", 50))
    if not 1 <= limit <= 100:
        raise invalid_form("int value should be between 1 and 100", "limit")
    if not bits & P.READ_MESSAGE_HISTORY:
        return []
    messages = world.channel_messages(channel)
    if "before" in req.query:
        before = int(req.query["before"])
        messages = [m for m in messages if m.id < before][-limit:]
    elif "after" in req.query:
        after = int(req.query["after"])
        messages = [m for m in messages if m.id > after][:limit]
    elif "around" in req.query:
        around = int(req.query["around"])
        older = [m for m in messages if m.id <= around][-(limit // 2 + 1) :]
        newer = [m for m in messages if m.id > around][: limit - len(older)]
        messages = older + newer
    else:
        messages = messages[-limit:]
    return [payloads.message(world, m) for m in reversed(messages)]


@routes("GET", "/channels/{channel_id}/messages/{message_id}")
async def get_message(req: ApiRequest) -> Any:
    channel, bits = bot_channel(req.world, req.id("channel_id"))
    require(bits, P.READ_MESSAGE_HISTORY, f"reading a message in #{channel.name}")
    message = message_or_404(req.world, channel, req.id("message_id"))
    return payloads.message(req.world, message)


@routes("PATCH", "/channels/{channel_id}/messages/{message_id}")
async def edit_message(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    message = message_or_404(world, channel, req.id("message_id"))
    body = await req.body()
    if message.author.id != world.bot.id:
        if set(body) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        require(bits, P.MANAGE_MESSAGES, "suppressing embeds on someone else's message")
    messaging.edit(world, req.config, message, body, req.files)
    req.events.message_update(message)
    return payloads.message(world, message)


@routes("DELETE", "/channels/{channel_id}/messages/{message_id}")
async def delete_message(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    message = message_or_404(world, channel, req.id("message_id"))
    if message.author.id != world.bot.id:
        if channel.is_dm:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        require(bits, P.MANAGE_MESSAGES, "deleting someone else's message")
    message.deleted = True
    req.events.message_delete(message)
    return None


@routes("POST", "/channels/{channel_id}/messages/bulk-delete")
async def bulk_delete(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    if channel.is_dm:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    require(bits, P.MANAGE_MESSAGES, "bulk deleting messages")
    ids = [int(i) for i in (await req.body()).get("messages") or []]
    if not 2 <= len(ids) <= 100:
        raise invalid_form("Must be between 2 and 100 in length.", "messages")
    two_weeks_ago = world.clock.now() - dt.timedelta(days=14)
    found: list[Message] = []
    for message_id in ids:
        if _snowflake_time(message_id) < two_weeks_ago:
            raise ApiError(
                400, 50034, "You can only bulk delete messages that are under 14 days old."
            )
        message = world.messages.get(message_id)
        if message is not None and message.channel_id == channel.id and not message.deleted:
            found.append(message)
    for message in found:
        message.deleted = True
    req.events.message_delete_bulk(channel, [m.id for m in found])
    return None


def _snowflake_time(snowflake: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, dt.UTC)


@routes("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def add_reaction(req: ApiRequest) -> Any:
    world = req.world
    channel, bits = bot_channel(world, req.id("channel_id"))
    message = message_or_404(world, channel, req.id("message_id"))
    require(bits, P.READ_MESSAGE_HISTORY, "reacting")
    emoji = req.match["emoji"]
    if not message.reactions.get(emoji):
        require(bits, P.ADD_REACTIONS, "adding a new reaction")
    users = message.reactions.setdefault(emoji, set())
    if world.bot.id not in users:
        users.add(world.bot.id)
        req.events.reaction_event("MESSAGE_REACTION_ADD", message, world.bot.id, emoji)
    return None


@routes("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def remove_own_reaction(req: ApiRequest) -> Any:
    world = req.world
    channel, _ = bot_channel(world, req.id("channel_id"))
    message = message_or_404(world, channel, req.id("message_id"))
    emoji = req.match["emoji"]
    if world.bot.id in message.reactions.get(emoji, set()):
        message.reactions[emoji].discard(world.bot.id)
        req.events.reaction_event("MESSAGE_REACTION_REMOVE", message, world.bot.id, emoji)
    return None


@routes("POST", "/channels/{channel_id}/typing")
async def typing(req: ApiRequest) -> Any:
    channel, bits = bot_channel(req.world, req.id("channel_id"))
    if channel.type == VOICE:
        return None
    if not channel.is_dm:
        require(
            bits, P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES, "typing"
        )
    return None
