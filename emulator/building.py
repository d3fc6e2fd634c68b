"""Setting up the emulated world from a test: guilds, people, roles, channels, threads.

These act as an administrator would in the Discord client: no permission checks, and the
gateway events Discord would send (GUILD_CREATE, GUILD_MEMBER_ADD, CHANNEL_CREATE, ...) go
to the bot if it is connected. `Emulator` (driver.py) is a `WorldBuilder`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from emulator.dispatch import Dispatcher
from emulator.errors import DriverError
from emulator.model import (
    CATEGORY,
    CHANNEL_KINDS,
    MEMBER_OVERWRITE,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    ROLE_OVERWRITE,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    ScheduledEvent,
    User,
)
from emulator.permissions import DEFAULT_BOT, DEFAULT_EVERYONE, as_bits
from emulator.server import Config
from emulator.state import World

Who = User | Member | int
OverwriteSpec = Mapping[Any, Any] | Iterable[Overwrite] | None


def as_user(world: World, who: Who) -> User:
    user_id = who if isinstance(who, int) else who.id
    user = world.users.get(user_id)
    if user is None:
        raise DriverError(f"unknown user {who!r}")
    return user


def as_member(world: World, guild: Guild, who: Who) -> Member:
    user = as_user(world, who)
    member = guild.members.get(user.id)
    if member is None:
        raise DriverError(f"{user.username} is not a member of {guild.name!r}")
    return member


def to_overwrite(guild: Guild, target: Any, value: Any) -> Overwrite:
    """`value`: a discord.PermissionOverwrite, an (allow, deny) pair, or {"allow", "deny"}."""
    if isinstance(target, Guild):
        target = target.everyone
    target_id = int(getattr(target, "id", target))
    if target_id not in guild.roles and target_id not in guild.members:
        raise DriverError(f"overwrite target {target!r} is neither a role nor a member")
    kind = ROLE_OVERWRITE if target_id in guild.roles else MEMBER_OVERWRITE
    if hasattr(value, "pair"):
        allow, deny = value.pair()
    elif isinstance(value, Mapping):
        allow, deny = value.get("allow", 0), value.get("deny", 0)
    else:
        allow, deny = value
    return Overwrite(target_id, kind, as_bits(allow), as_bits(deny))


def overwrites_from(guild: Guild, spec: OverwriteSpec) -> dict[int, Overwrite]:
    if spec is None:
        return {}
    if not isinstance(spec, Mapping):
        return {o.id: o for o in spec}
    overwrites = [to_overwrite(guild, target, value) for target, value in spec.items()]
    return {o.id: o for o in overwrites}


def delete_channel(world: World, events: Dispatcher, channel: Channel) -> None:
    """Remove a guild channel with its threads; a deleted category's channels move out of it
    (CHANNEL_UPDATE each), as Discord does. Shared by the builder and the REST route."""
    events.channel_event("CHANNEL_DELETE", channel)
    guild = world.guilds[channel.guild_id or 0]
    for child in list(guild.channels.values()):
        if child.parent_id == channel.id:
            if child.is_thread:
                world.remove_channel(child)
            else:
                child.parent_id = None
                events.channel_event("CHANNEL_UPDATE", child)
    world.remove_channel(channel)


class WorldBuilder:
    """The world-building half of `Emulator`."""

    world: World
    events: Dispatcher
    config: Config

    def create_user(self, name: str, *, dms_closed: bool = False) -> User:
        return self.world.add_user(name, dms_closed=dms_closed)

    def create_guild(
        self,
        name: str,
        *,
        owner: Who | str | None = None,
        bot: bool = True,
        bot_permissions: Any = DEFAULT_BOT,
        everyone_permissions: Any = DEFAULT_EVERYONE,
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        """A guild with an owner (a new user unless given) and, by default, the bot.
        `shard=(shard_id, num_shards)` picks an id that shard carries."""
        world = self.world
        guild_id = world.ids.on_shard(*shard) if shard else world.ids.next()
        if isinstance(owner, str) or owner is None:
            owner_user = world.add_user(owner or f"{name.lower().replace(' ', '-')}-owner")
        else:
            owner_user = as_user(world, owner)
        guild = Guild(id=guild_id, name=name, owner_id=owner_user.id)
        guild.roles[guild_id] = Role(
            id=guild_id,
            guild_id=guild_id,
            name="@everyone",
            permissions=as_bits(everyone_permissions),
            position=0,
        )
        world.guilds[guild_id] = guild
        self.create_member(guild, owner_user)
        if bot:
            self.add_bot(guild, permissions=bot_permissions)
        return guild

    def add_bot(self, guild: Guild, *, permissions: Any = DEFAULT_BOT) -> Member:
        """The bot joins with its managed integration role at the top of the hierarchy."""
        world = self.world
        if world.bot.id in guild.members:
            return guild.members[world.bot.id]
        role = Role(
            id=world.ids.next(),
            guild_id=guild.id,
            name=world.bot.username,
            permissions=as_bits(permissions),
            position=len(guild.roles),
            managed=True,
            bot_id=world.bot.id,
        )
        world.place_role(guild, role, len(guild.roles))
        guild.bot_role_id = role.id
        now = world.clock.now()
        member = Member(user=world.bot, guild_id=guild.id, joined_at=now, roles=[role.id])
        guild.members[world.bot.id] = member
        self.events.member_event("GUILD_MEMBER_ADD", guild, member, to_bot=False)
        self.events.guild_available(guild)
        return member

    def create_member(
        self,
        guild: Guild,
        who: str | User | Member,
        *,
        roles: Iterable[Role] = (),
        nick: str | None = None,
        dms_closed: bool = False,
    ) -> Member:
        """A person joining `guild`: a new user from a name, or an existing user."""
        world = self.world
        if isinstance(who, str):
            user = world.add_user(who, dms_closed=dms_closed)
        else:
            user = as_user(world, who)
        if user.id in guild.members:
            raise DriverError(f"{user.username} is already in {guild.name!r}")
        role_ids = []
        for role in roles:
            if role.guild_id != guild.id or role.is_everyone:
                raise DriverError(f"role {role.name!r} cannot be given in {guild.name!r}")
            role_ids.append(role.id)
        now = world.clock.now()
        member = Member(user=user, guild_id=guild.id, joined_at=now, roles=role_ids, nick=nick)
        guild.members[user.id] = member
        self.events.member_event("GUILD_MEMBER_ADD", guild, member)
        return member

    def remove_member(self, member: Member) -> None:
        guild = self.world.guilds[member.guild_id]
        del guild.members[member.id]
        self.events.member_event("GUILD_MEMBER_REMOVE", guild, member)

    def create_role(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: Any = 0,
        position: int | None = None,
        **fields: Any,
    ) -> Role:
        """A role at `position` (1 = just above @everyone, the default); others move up.
        `fields`: mentionable, color, hoist."""
        role = Role(
            id=self.world.ids.next(),
            guild_id=guild.id,
            name=name,
            permissions=as_bits(permissions),
            position=1,
            **fields,
        )
        moved = self.world.place_role(guild, role, position or 1)
        self.events.role_event("GUILD_ROLE_CREATE", guild, role.id)
        for other in moved:
            self.events.role_event("GUILD_ROLE_UPDATE", guild, other.id)
        return role

    def edit_role(self, role: Role, **changes: Any) -> Role:
        """Change permissions, name, position, mentionable, color... (GUILD_ROLE_UPDATE)."""
        guild = self.world.guilds[role.guild_id]
        moved: list[Role] = []
        for key, value in changes.items():
            if value is None:
                continue
            if key == "permissions":
                role.permissions = as_bits(value)
            elif key == "position":
                if role.is_everyone:
                    raise DriverError("@everyone always stays at position 0")
                moved = self.world.place_role(guild, role, int(value))
            else:
                setattr(role, key, value)
        for changed in [role, *moved]:
            self.events.role_event("GUILD_ROLE_UPDATE", guild, changed.id)
        return role

    def delete_role(self, role: Role) -> None:
        """An admin deletes a role by hand (members lose it, overwrites go; GUILD_ROLE_DELETE)."""
        guild = self.world.guilds[role.guild_id]
        if role.is_everyone or role.managed:
            raise DriverError(f"{role.name!r} can't be deleted")
        del guild.roles[role.id]
        for member in guild.members.values():
            if role.id in member.roles:
                member.roles.remove(role.id)
        for channel in guild.channels.values():
            channel.overwrites.pop(role.id, None)
        self.events.role_event("GUILD_ROLE_DELETE", guild, role.id)

    def add_role(self, member: Member, role: Role) -> None:
        if role.id not in member.roles:
            member.roles.append(role.id)
            self._member_updated(member)

    def remove_role(self, member: Member, role: Role) -> None:
        if role.id in member.roles:
            member.roles.remove(role.id)
            self._member_updated(member)

    def set_timeout(self, member: Member, until: dt.datetime | None) -> None:
        """A moderator (not the bot) times a member out until `until` (None lifts it)."""
        member.communication_disabled_until = until
        self._member_updated(member)

    def _member_updated(self, member: Member) -> None:
        guild = self.world.guilds[member.guild_id]
        self.events.member_event("GUILD_MEMBER_UPDATE", guild, member)

    def set_dms_closed(self, who: Who, closed: bool = True) -> None:
        as_user(self.world, who).dms_closed = closed

    def create_channel(
        self,
        guild: Guild,
        name: str,
        *,
        kind: str = "text",
        parent: Channel | None = None,
        overwrites: OverwriteSpec = None,
        topic: str | None = None,
        position: int | None = None,
    ) -> Channel:
        """kind: text, voice, category, forum. overwrites: {role_or_member_or_guild:
        discord.PermissionOverwrite or (allow, deny)}; without them a channel in a category
        copies the category's (the guild stands for @everyone)."""
        if kind not in CHANNEL_KINDS:
            raise DriverError(f"kind must be one of {sorted(CHANNEL_KINDS)}")
        if parent is not None and parent.type != CATEGORY:
            raise DriverError("parent must be a category")
        resolved = overwrites_from(guild, overwrites)
        if overwrites is None and parent is not None:
            resolved = {
                k: Overwrite(o.id, o.type, o.allow, o.deny) for k, o in parent.overwrites.items()
            }
        siblings = [c.position for c in guild.channels.values() if not c.is_thread]
        channel = Channel(
            id=self.world.ids.next(),
            type=CHANNEL_KINDS[kind],
            name=name,
            guild_id=guild.id,
            position=position if position is not None else max(siblings, default=-1) + 1,
            parent_id=parent.id if parent else None,
            topic=topic,
            overwrites=resolved,
        )
        self.world.add_channel(channel)
        self.events.channel_event("CHANNEL_CREATE", channel)
        return channel

    def set_overwrite(
        self, channel: Channel, target: Any, *, allow: Any = 0, deny: Any = 0
    ) -> None:
        guild = self.world.guilds[channel.guild_id or 0]
        overwrite = to_overwrite(guild, target, (allow, deny))
        channel.overwrites[overwrite.id] = overwrite
        self.events.channel_event("CHANNEL_UPDATE", channel)

    def remove_overwrite(self, channel: Channel, target: Any) -> None:
        channel.overwrites.pop(int(getattr(target, "id", target)), None)
        self.events.channel_event("CHANNEL_UPDATE", channel)

    def delete_channel(self, channel: Channel) -> None:
        """An admin deletes a channel (CHANNEL_DELETE; the bot's requests to it then get 404
        10003). As through REST: its threads go too, a category's channels move out of it."""
        delete_channel(self.world, self.events, channel)

    def create_thread(
        self,
        parent: Channel,
        name: str,
        *,
        owner: Who,
        private: bool = False,
        members: Iterable[Who] = (),
        message: Message | None = None,
    ) -> Channel:
        if parent.guild_id is None or parent.is_thread or parent.type == CATEGORY:
            raise DriverError("threads live in guild text channels")
        world = self.world
        if message is not None:
            # Discord: one thread per message, and the thread takes the message's id.
            if message.channel_id != parent.id or message.deleted:
                raise DriverError(f"{message!r} is not a live message in #{parent.name}")
            if message.thread_id is not None:
                raise DriverError("a thread has already been created for this message (160004)")
        now = world.clock.now()
        owner_id = as_user(world, owner).id
        joined = {as_user(world, m).id: now for m in members}
        thread = Channel(
            id=message.id if message else world.ids.next(),
            type=PRIVATE_THREAD if private else PUBLIC_THREAD,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner_id,
            created_at=now,
            thread_members={owner_id: now, **joined},
        )
        if message is not None:
            message.thread_id = thread.id
        world.add_channel(thread)
        self.events.channel_event("CHANNEL_CREATE", thread)
        return thread

    def create_event(
        self,
        guild: Guild,
        name: str,
        *,
        start: dt.datetime,
        end: dt.datetime | None = None,
        channel: Channel | None = None,
        location: str | None = None,
        creator: Who | None = None,
    ) -> ScheduledEvent:
        """A scheduled event made by a person (external unless a voice `channel` is given)."""
        external = channel is None
        if external and end is None:
            end = start + dt.timedelta(hours=1)
        event = ScheduledEvent(
            id=self.world.ids.next(),
            guild_id=guild.id,
            name=name,
            scheduled_start_time=start.isoformat(),
            scheduled_end_time=end.isoformat() if end else None,
            entity_type=3 if channel is None else 2,
            channel_id=None if channel is None else channel.id,
            entity_metadata={"location": location or "Online"} if external else None,
            creator_id=as_user(self.world, creator).id if creator else guild.owner_id,
        )
        guild.scheduled_events[event.id] = event
        self.events.scheduled_event("GUILD_SCHEDULED_EVENT_CREATE", guild, event.id)
        return event

    def mark_interested(self, who: Who, event: ScheduledEvent) -> None:
        user = as_user(self.world, who)
        event.interested.add(user.id)
        guild = self.world.guilds[event.guild_id]
        data = {
            "guild_scheduled_event_id": str(event.id),
            "user_id": str(user.id),
            "guild_id": str(guild.id),
        }
        self.events.emit("GUILD_SCHEDULED_EVENT_USER_ADD", data, guild=guild)

    def override_command(
        self, guild: Guild, name: str, target: Guild | Role | Who, *, allowed: bool = True
    ) -> None:
        """What a server admin does in Server Settings > Integrations: let (or stop) a user,
        a role, or everyone (pass the guild) use /name whatever its default permissions."""
        if isinstance(target, Guild | Role):
            target_id = target.id
        else:
            target_id = as_user(self.world, target).id
        self.world.command_overrides.setdefault((guild.id, name), {})[target_id] = allowed

    def file(self, filename: str, data: bytes, content_type: str | None = None) -> Attachment:
        """An upload for an attachment option of a slash command."""
        attachment_id = self.world.ids.next()
        url = f"{self.config.cdn_base}/attachments/0/{attachment_id}/{filename}"
        attachment = Attachment(attachment_id, filename, data, content_type, url=url)
        self.world.attachments[attachment_id] = attachment
        return attachment
