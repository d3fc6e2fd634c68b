"""The demo server the sandbox plays in: "Hope IOP", its people and its channels.

Built in the emulator before Lantern connects, the way a program director would set up a
new Discord server and then add Lantern with its invite link (exactly the permissions
`invite-url` asks for). Later features add what they need here (a cohort, its channel).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.permissions import required_permissions
from emulator import Emulator
from emulator.model import Channel, Guild, Member, User

SERVER_NAME = "Hope IOP"


@dataclass
class Person:
    """Someone in the demo: the name the transcript uses and who they are in the program."""

    name: str
    about: str
    member: Member

    @property
    def id(self) -> int:
        return self.member.id

    @property
    def user(self) -> User:
        return self.member.user


@dataclass
class DemoWorld:
    guild: Guild
    dana: Person
    """Program director: owns the server (Manage Server), runs /setup."""
    alice: Person
    """Facilitator (gets the Facilitator role once /setup creates it)."""
    bob: Person
    carol: Person
    dev: Person
    general: Channel
    welcome: Channel
    extra: dict[str, object] = field(default_factory=dict)
    """Room for later scenes to keep what they created (a cohort, its channel...)."""
    joined: list[Person] = field(default_factory=list)
    """People a later scene brings in (a care team's counsellor); transcribed from then on."""

    @property
    def people(self) -> list[Person]:
        return [self.dana, self.alice, self.bob, self.carol, self.dev, *self.joined]

    @property
    def participants(self) -> list[Person]:
        return [self.bob, self.carol, self.dev]

    def person(self, user_id: int) -> Person | None:
        return next((p for p in self.people if p.id == user_id), None)


def join(emu: Emulator, world: DemoWorld, name: str, about: str) -> Person:
    """Someone new joins the demo server (a scene's newcomer)."""
    member = emu.create_member(world.guild, name.lower())
    member.user.global_name = name
    newcomer = Person(name, about, member)
    world.joined.append(newcomer)
    return newcomer


def build_world(emu: Emulator) -> DemoWorld:
    """Hope IOP with Dana, Alice, Bob, Carol and Dev; Lantern joins with its invite perms."""
    guild = emu.create_guild(SERVER_NAME, owner="dana", bot_permissions=required_permissions())

    def person(name: str, about: str, member: Member) -> Person:
        member.user.global_name = name  # the display name people see in Discord
        return Person(name, about, member)

    dana = person("Dana", "program director; owns the server", emu.member(guild, guild.owner_id))
    alice = person("Alice", "facilitator (a clinician)", emu.create_member(guild, "alice"))
    bob = person("Bob", "participant", emu.create_member(guild, "bob"))
    carol = person(
        "Carol",
        "participant (keeps her DMs closed)",
        emu.create_member(guild, "carol", dms_closed=True),
    )
    dev = person("Dev", "participant", emu.create_member(guild, "dev"))
    welcome = emu.create_channel(guild, "welcome", topic="Start here")
    general = emu.create_channel(guild, "general", topic="Everyone in the program")
    return DemoWorld(guild, dana, alice, bob, carol, dev, general, welcome)
