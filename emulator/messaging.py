"""Building and editing messages from a Discord message body, with Discord's limits.

Shared by the channel message routes, interaction responses, webhook followups and the
driver. The REST routes have already checked the body against Discord's OpenAPI schema
(`openapi.py`: embed and component lengths and counts); enforced here for every sender,
people included: content <= 2000 characters, no empty message (50006), attachments within
the size limit (40005), nonce a string or integer of <= 25 characters, and `limits.py`'s
rules (6000 embed characters, component rows, buttons, selects, unique custom ids).
`enforce_nonce` (Create Message) finds the message to return instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from emulator import limits
from emulator.errors import ApiError, invalid_form
from emulator.model import EPHEMERAL, Attachment, Channel, Message, User
from emulator.server import Config, Upload
from emulator.state import World

SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, COMPONENTS_V2 = 1 << 2, 1 << 12, 1 << 15
SETTABLE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | COMPONENTS_V2
REPLY = 19
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
NONCE_WINDOW = dt.timedelta(minutes=5)
"""Discord: "the past few minutes"; five, measured on the emulator's clock."""


def validate(
    body: dict[str, Any],
    uploads: list[Upload],
    config: Config,
    *,
    partial: bool,
    prefix: tuple[str, ...] = (),
) -> None:
    """`prefix` is where the message sits in the request (("data",) in a callback)."""
    content = body.get("content")
    if content is not None and len(str(content)) > 2000:
        raise invalid_form(
            "Must be 2000 or fewer in length.", (*prefix, "content"), code="BASE_TYPE_MAX_LENGTH"
        )
    limits.check_message(body, prefix)
    embeds = body.get("embeds") or []
    if sum(len(u.data) for u in uploads) > config.attachment_size_limit:
        raise ApiError(413, 40005, "Request entity too large")
    if partial:
        return
    parts = (content, embeds, uploads, body.get("components"), body.get("sticker_ids"))
    if not any(parts) and not body.get("poll"):
        raise ApiError(400, 50006, "Cannot send an empty message")


def check_nonce(body: dict[str, Any]) -> None:
    """400 50035 unless `nonce` is absent, a string or an integer, of <= 25 characters."""
    nonce = body.get("nonce")
    if nonce is None:
        return
    if isinstance(nonce, bool) or not isinstance(nonce, str | int):
        raise invalid_form("Must be a string or an integer.", "nonce", code="NONCE_TYPE_INVALID")
    if len(str(nonce)) > 25:
        raise invalid_form("Must be 25 or fewer in length.", "nonce", code="BASE_TYPE_MAX_LENGTH")


def same_nonce(world: World, channel: Channel, author: User, nonce: str | int) -> Message | None:
    """The live message `author` created in `channel` with `nonce` within NONCE_WINDOW.

    Nonces compare as strings (discord.py always sends a string). A deleted original does not
    count, so a retry after a deletion posts again.
    """
    since = world.clock.now() - NONCE_WINDOW
    for message_id in reversed(channel.message_ids):
        message = world.messages[message_id]
        if message.timestamp is not None and message.timestamp < since:
            return None  # ids and timestamps grow together: nothing older can match
        if (
            not message.deleted
            and message.author.id == author.id
            and message.nonce is not None
            and str(message.nonce) == str(nonce)
        ):
            return message
    return None


def _attachments(
    world: World,
    config: Config,
    channel: Channel,
    body: dict[str, Any],
    uploads: list[Upload],
    existing: list[Attachment],
) -> list[Attachment]:
    by_index = {u.index: u for u in uploads}
    described = {str(a.get("id")): a for a in body.get("attachments") or []}
    kept = [a for a in existing if str(a.id) in described] if "attachments" in body else existing
    created = []
    for index, upload in sorted(by_index.items()):
        meta = described.get(str(index), {})
        attachment_id = world.ids.next()
        filename = meta.get("filename") or upload.filename
        created.append(
            Attachment(
                id=attachment_id,
                filename=filename,
                data=upload.data,
                content_type=upload.content_type,
                description=meta.get("description"),
                url=f"{config.cdn_base}/attachments/{channel.id}/{attachment_id}/{filename}",
            )
        )
    return kept + created


def _mentions(
    world: World, channel: Channel, body: dict[str, Any]
) -> tuple[list[int], list[int], bool]:
    content = str(body.get("content") or "")
    users = [int(u) for u in _USER_MENTION.findall(content) if int(u) in world.users]
    roles = [int(r) for r in _ROLE_MENTION.findall(content)]
    everyone = "@everyone" in content or "@here" in content
    allowed = body.get("allowed_mentions")
    if allowed is not None:
        parse = allowed.get("parse") or []
        if "users" not in parse:
            users = [u for u in users if str(u) in map(str, allowed.get("users") or [])]
        if "roles" not in parse:
            roles = [r for r in roles if str(r) in map(str, allowed.get("roles") or [])]
        everyone = everyone and "everyone" in parse
    return list(dict.fromkeys(users)), list(dict.fromkeys(roles)), everyone


def _reference(world: World, channel: Channel, body: dict[str, Any]) -> dict[str, Any] | None:
    ref = body.get("message_reference")
    if not ref:
        return None
    target = world.messages.get(int(ref.get("message_id") or 0))
    if (
        target is None
        or target.deleted
        or target.channel_id != int(ref.get("channel_id") or channel.id)
    ):
        if ref.get("fail_if_not_exists", True):
            raise invalid_form("Unknown message", "message_reference")
        return None
    data = {"type": 0, "message_id": str(target.id), "channel_id": str(target.channel_id)}
    if target.guild_id:
        data["guild_id"] = str(target.guild_id)
    return data


def build(
    world: World,
    config: Config,
    channel: Channel,
    author: User,
    body: dict[str, Any],
    uploads: list[Upload],
    *,
    type: int = 0,
    extra_flags: int = 0,
    ephemeral_for: int | None = None,
    interaction_id: int | None = None,
    webhook_id: int | None = None,
    allow_empty: bool = False,
    prefix: tuple[str, ...] = (),
) -> Message:
    """Validate a body and create (and store) the message; the caller dispatches it."""
    validate(body, uploads, config, partial=allow_empty, prefix=prefix)
    users, roles, everyone = _mentions(world, channel, body)
    reference = _reference(world, channel, body)
    flags = (int(body.get("flags") or 0) & SETTABLE_FLAGS) | extra_flags
    if ephemeral_for is not None:
        flags |= EPHEMERAL
    message = Message(
        id=world.ids.next(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author=author,
        content=str(body.get("content") or ""),
        embeds=list(body.get("embeds") or []),
        components=list(body.get("components") or []),
        attachments=_attachments(world, config, channel, body, uploads, []),
        flags=flags,
        type=REPLY if reference and type == 0 else type,
        timestamp=world.clock.now(),
        mentions=users,
        mention_roles=roles,
        mention_everyone=everyone,
        reference=reference,
        webhook_id=webhook_id,
        application_id=world.application_id if webhook_id else None,
        interaction_id=interaction_id,
        ephemeral_for=ephemeral_for,
        tts=bool(body.get("tts")),
        nonce=body.get("nonce"),
    )
    return world.add_message(message)


def edit(
    world: World,
    config: Config,
    message: Message,
    body: dict[str, Any],
    uploads: list[Upload],
    *,
    clear_flags: int = 0,
    prefix: tuple[str, ...] = (),
) -> Message:
    """Apply an edit body (only the keys present change); validated before anything changes."""
    # A components-v2 message stays one when an edit does not repeat the flag.
    checked = body if "flags" in body else {**body, "flags": message.flags & COMPONENTS_V2}
    validate(checked, uploads, config, partial=True, prefix=prefix)
    channel = world.channels[message.channel_id]
    content = str(body.get("content") or "") if "content" in body else message.content
    embeds = list(body.get("embeds") or []) if "embeds" in body else message.embeds
    components = list(body.get("components") or []) if "components" in body else message.components
    attachments = message.attachments
    if "attachments" in body or uploads:
        attachments = _attachments(world, config, channel, body, uploads, message.attachments)
    if not (content or embeds or attachments or components):
        raise ApiError(400, 50006, "Cannot send an empty message")
    if "content" in body:
        users, roles, everyone = _mentions(world, channel, body)
        message.mentions, message.mention_roles, message.mention_everyone = users, roles, everyone
    message.content, message.embeds, message.components = content, embeds, components
    message.attachments = attachments
    for attachment in attachments:
        world.attachments[attachment.id] = attachment
    if body.get("flags") is not None:
        keep = message.flags & ~SETTABLE_FLAGS
        message.flags = keep | (int(body["flags"]) & SETTABLE_FLAGS)
    message.flags &= ~clear_flags
    message.edited_at = world.clock.now()
    return message
