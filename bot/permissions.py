"""The Discord permissions Lantern needs, each with the reason, in one place.

`invite-url` asks for exactly these; `/setup check` verifies them server-wide and in
every configured channel, and says which are missing and why they matter.
"""

from __future__ import annotations

import discord

# (permission attribute, why Lantern needs it)
SERVER_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", "see the channels it works in"),
    ("send_messages", "answer people and post reminders"),
    ("send_messages_in_threads", "talk in private threads (consent, conversations)"),
    ("create_private_threads", "open private threads when someone's DMs are closed"),
    ("manage_threads", "add people to and archive private threads"),
    ("embed_links", "show alerts and summaries as embeds"),
    ("attach_files", "send charts and exports"),
    ("read_message_history", "link and quote reported messages"),
    ("add_reactions", "acknowledge messages"),
    ("manage_channels", "create and repair cohort and staff channels"),
    ("manage_roles", "create cohort roles and set channel permissions"),
    ("manage_messages", "delete messages facilitators choose to remove"),
    ("moderate_members", "time out members when a facilitator asks"),
    ("mention_everyone", "ping the facilitator role on urgent alerts"),
    ("manage_events", "publish sessions as Discord events"),
    ("create_events", "publish sessions as Discord events"),
)

# What the bot needs inside the staff channels it posts to.
CHANNEL_PERMISSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "escalation": (
        ("view_channel", "see the escalation channel"),
        ("send_messages", "post crisis alerts"),
        ("embed_links", "show alert details"),
        ("read_message_history", "update alerts as facilitators respond"),
        ("mention_everyone", "ping the facilitator role on urgent alerts"),
        ("create_public_threads", "group follow-up messages under one alert"),
        ("send_messages_in_threads", "post follow-ups under an alert"),
    ),
    "log": (
        ("view_channel", "see the moderation-log channel"),
        ("send_messages", "record moderation actions"),
        ("embed_links", "show log entries"),
    ),
}

SCOPES = ("bot", "applications.commands")


def required_permissions() -> discord.Permissions:
    perms = discord.Permissions.none()
    for name, _reason in SERVER_PERMISSIONS:
        setattr(perms, name, True)
    return perms


def missing(
    have: discord.Permissions, needed: tuple[tuple[str, str], ...]
) -> list[tuple[str, str]]:
    """The (permission, reason) pairs that `have` lacks."""
    return [(name, reason) for name, reason in needed if not getattr(have, name)]


_LABELS = {
    "view_channel": "View Channels",
    "send_messages_in_threads": "Send Messages in Threads",
    "moderate_members": "Timeout Members",
    "mention_everyone": "Mention @everyone, @here, and All Roles",
}


def label(permission: str) -> str:
    """'manage_roles' -> 'Manage Roles', as Discord's settings name it."""
    return _LABELS.get(permission, permission.replace("_", " ").title())


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id, permissions=required_permissions(), scopes=SCOPES
    )
