"""Where a conversation lives, and who may see it.

A PRIVATE thread (invitable off) in one server-level channel, `#talk-to-a-facilitator`, that
everyone may view but not post in. Discord shows a private thread only to its members and to
people with Manage Threads in the parent, so the person (added as a member) and the
facilitator role (Manage Threads on that channel) see it and nobody else does. When the
person's cohort has a care team, its people are added too (a role can't be added to a
thread, so each of its members is). If a private thread can't be opened, Lantern falls back
to a private channel with the same audience.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord

from bot.clock import Clock
from bot.storage.guilds import GuildConfig
from cogs.cohorts.api import CareTeam
from cogs.support.conversation_store import Conversation, ConversationStore
from cogs.support.settings_store import SettingsStore

# The logger keeps the name it had before talk.py was split.
log = logging.getLogger("cogs.support.talk")

CHANNEL_NAME = "talk-to-a-facilitator"
CHUNK_TIMEOUT = 10.0
CHANNEL_TOPIC = (
    "Private conversations with facilitators open here as private threads: only you and the "
    "facilitators can see yours. Type /talk to start one."
)


def talk_overwrites(
    guild: discord.Guild, facilitator: discord.Role | None
) -> dict[discord.Role | discord.Member, discord.PermissionOverwrite]:
    """Everyone may view the parent (Discord requires it to see a private thread in it) but
    not post or open threads; facilitators manage threads, so they see every conversation."""
    everyone = discord.PermissionOverwrite(
        view_channel=True,
        send_messages=False,
        create_private_threads=False,
        send_messages_in_threads=True,
        read_message_history=True,
    )
    if guild.me.guild_permissions.create_public_threads:  # one can only deny what one holds
        everyone.create_public_threads = False
    overwrites: dict[discord.Role | discord.Member, discord.PermissionOverwrite] = {
        guild.default_role: everyone,
        guild.me: discord.PermissionOverwrite(
            view_channel=True,
            send_messages=True,
            send_messages_in_threads=True,
            create_private_threads=True,
            manage_threads=True,
            embed_links=True,
            read_message_history=True,
        ),
    }
    if facilitator is not None:
        overwrites[facilitator] = discord.PermissionOverwrite(
            view_channel=True,
            send_messages=True,
            send_messages_in_threads=True,
            read_message_history=True,
            manage_threads=True,
        )
    return overwrites


def private_overwrites(
    guild: discord.Guild,
    facilitator: discord.Role | None,
    person: discord.Member,
    team: Sequence[discord.Role | discord.Member] = (),
) -> dict[discord.Role | discord.Member, discord.PermissionOverwrite]:
    """The fallback private channel: the person, facilitators, the person's care team (its
    roles and people) and Lantern only."""
    talk = discord.PermissionOverwrite(
        view_channel=True, send_messages=True, read_message_history=True
    )
    overwrites: dict[discord.Role | discord.Member, discord.PermissionOverwrite] = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        guild.me: discord.PermissionOverwrite(
            view_channel=True, send_messages=True, embed_links=True, read_message_history=True
        ),
        person: talk,
    }
    if facilitator is not None:
        overwrites[facilitator] = talk
    for seat in team:
        overwrites[seat] = talk
    return overwrites


async def team_seats(guild: discord.Guild, team: CareTeam) -> list[discord.Role | discord.Member]:
    """The care team's roles and named people as they are on the server (someone who left,
    or a deleted role, is skipped)."""
    seats: list[discord.Role | discord.Member] = [
        role for role in map(guild.get_role, team.role_ids) if role is not None
    ]
    for user_id in team.user_ids:
        member = guild.get_member(user_id)
        if member is None:  # not in the cache (members are fetched when needed)
            try:
                member = await guild.fetch_member(user_id)
            except discord.HTTPException as exc:  # left the server, or Discord refused
                log.warning(
                    "care team member not found", extra={"user_id": user_id, "status": exc.status}
                )
                continue
        seats.append(member)
    return seats


async def team_people(guild: discord.Guild, team: CareTeam) -> list[discord.Member]:
    """Everyone on the care team: its named people and every member of its roles (a role
    can't be added to a thread), bots left out."""
    seats = await team_seats(guild, team)
    if team.role_ids and not guild.chunked:  # a role's members are known once loaded
        try:
            await asyncio.wait_for(guild.chunk(), CHUNK_TIMEOUT)
        except (TimeoutError, discord.ClientException):
            log.warning("could not load the member list", extra={"guild_id": guild.id})
    people: dict[int, discord.Member] = {}
    for seat in seats:
        members = seat.members if isinstance(seat, discord.Role) else [seat]
        people.update((m.id, m) for m in members if not m.bot)
    return list(people.values())


class TalkSpaces:
    """The talk channel and each conversation's thread or channel, and which of them hold
    an open conversation (kept in memory, so a message elsewhere costs no query)."""

    def __init__(
        self, conversations: ConversationStore, settings: SettingsStore, clock: Clock
    ) -> None:
        self._conversations = conversations
        self._settings = settings
        self._clock = clock
        self._channel_lock = asyncio.Lock()
        self._open: set[int] = set()

    async def load(self) -> None:
        self._open = await self._conversations.open_space_ids()

    def holds_open(self, space_id: int) -> bool:
        return space_id in self._open

    def opened(self, space_id: int) -> None:
        self._open.add(space_id)

    async def talk_channel(self, guild: discord.Guild, config: GuildConfig) -> discord.TextChannel:
        async with self._channel_lock:  # two people at once must not create two channels
            channel = guild.get_channel(await self._settings.talk_channel(guild.id) or 0)
            if isinstance(channel, discord.TextChannel):
                return channel
            facilitator = guild.get_role(config.facilitator_role_id or 0)
            channel = await guild.create_text_channel(
                CHANNEL_NAME,
                overwrites=talk_overwrites(guild, facilitator),
                topic=CHANNEL_TOPIC,
                reason="Lantern: private conversations with facilitators",
            )
            await self._settings.set_talk_channel(guild.id, channel.id, self._clock.now())
            return channel

    async def open_space(
        self,
        guild: discord.Guild,
        config: GuildConfig,
        member: discord.Member,
        conversation_id: int,
        team: CareTeam | None = None,
    ) -> tuple[str, discord.Thread | discord.TextChannel]:
        parent = await self.talk_channel(guild, config)
        thread: discord.Thread | None = None
        try:
            thread = await parent.create_thread(
                name=f"#{conversation_id} · {member.display_name}"[:100],
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
                reason="Lantern: a private conversation with facilitators",
            )
            await thread.add_user(member)
            return "thread", thread
        except discord.HTTPException as exc:
            log.warning(
                "private thread not possible; opening a private channel",
                extra={"guild_id": guild.id, "status": exc.status, "code": exc.code},
            )
            if thread is not None:
                try:
                    await thread.delete()
                except discord.HTTPException:
                    log.warning("could not remove a half-made thread", extra={"id": thread.id})
        facilitator = guild.get_role(config.facilitator_role_id or 0)
        channel = await guild.create_text_channel(
            f"talk-{conversation_id}",
            category=parent.category,
            overwrites=private_overwrites(
                guild, facilitator, member, await team_seats(guild, team) if team else ()
            ),
            topic="A private conversation between one person and the facilitators.",
            reason="Lantern: a private conversation (private threads unavailable)",
        )
        return "channel", channel

    async def admit(
        self, space: discord.Thread | discord.TextChannel, member: discord.Member
    ) -> None:
        """Let one more facilitator into a conversation (adding someone already in is
        harmless; program staff, who manage the threads, see them all already)."""
        try:
            if isinstance(space, discord.Thread):
                if not space.permissions_for(member).manage_threads:
                    await space.add_user(member)
            elif not space.permissions_for(member).view_channel:
                await space.set_permissions(
                    member,
                    view_channel=True,
                    send_messages=True,
                    read_message_history=True,
                    reason="Lantern: a care team member took this conversation",
                )
        except discord.HTTPException as exc:
            log.warning(
                "could not let a facilitator into a conversation",
                extra={"space_id": space.id, "user_id": member.id, "status": exc.status},
            )

    async def admit_team(
        self, guild: discord.Guild, space: discord.Thread | discord.TextChannel, team: CareTeam
    ) -> None:
        """Add the care team's people to a thread (a channel let them in when it was made).
        Called once the person has their answer and the team its notice: a big team role
        means one call per member. One who can't be added is logged, not fatal: the person
        is in, and program staff see every conversation."""
        if not isinstance(space, discord.Thread):
            return
        thread = space
        for person in await team_people(guild, team):
            try:
                await thread.add_user(person)
            except discord.HTTPException as exc:
                log.warning(
                    "could not add a care team member to a conversation",
                    extra={"thread_id": thread.id, "user_id": person.id, "status": exc.status},
                )

    def find(
        self, guild: discord.Guild | None, conversation: Conversation
    ) -> discord.Thread | discord.TextChannel | None:
        if guild is None:
            return None
        space = guild.get_channel_or_thread(conversation.space_id or 0)
        return space if isinstance(space, discord.Thread | discord.TextChannel) else None

    async def wind_down(
        self, guild: discord.Guild | None, conversation: Conversation, line: str
    ) -> None:
        """Tell the person (in the conversation itself: it works with DMs closed), then lock
        it so it stays readable but quiet."""
        self._open.discard(conversation.space_id or 0)
        space = self.find(guild, conversation)
        if space is None:
            return
        try:
            await space.send(
                line,
                allowed_mentions=discord.AllowedMentions(
                    users=[discord.Object(conversation.user_id)]
                ),
            )
            if isinstance(space, discord.Thread):
                await space.edit(archived=True, locked=True, reason="Lantern: conversation closed")
            elif (person := space.guild.get_member(conversation.user_id)) is not None:
                await space.set_permissions(
                    person,
                    view_channel=True,
                    send_messages=False,
                    read_message_history=True,
                    reason="Lantern: conversation closed",
                )
        except discord.HTTPException as exc:
            log.warning("could not wind down a conversation", extra={"status": exc.status})
