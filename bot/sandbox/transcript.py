"""The sandbox's readable transcript: who did what, then what each person sees.

Before an action the transcript takes a `Snapshot` of the emulated Discord (every live
message with its content, every channel each person can see, the server's roles and
channels); afterwards `changes()` prints the difference: new or edited messages with who
sees them (ephemeral replies are marked "only X sees this", DMs "DM to X"), channels that
appeared or that someone can now see, and the people who saw nothing at all. Because it
compares the emulator's state, new features need no new rendering code.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from bot.sandbox.world import DemoWorld, Person
from emulator import Emulator
from emulator.access import can_see_message, can_view
from emulator.model import CATEGORY, Channel, Message, Role, walk_components

WIDTH = 88
INDENT = "        "
BODY = INDENT + "│ "
BUTTON, SELECT = 2, {3, 5, 6, 7, 8}

_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_COMMAND = re.compile(r"</([^:>]+):\d+>")


@dataclass(frozen=True)
class Snapshot:
    messages: dict[int, tuple[str, str, str, int]]
    """Live message id -> (content, embeds, components, flags): finds new and edited ones."""
    visible: dict[int, frozenset[int]]
    """Person id -> guild channels they can see."""
    channels: frozenset[int]
    roles: frozenset[int]


class Transcript:
    def __init__(self, out: TextIO, emu: Emulator, world: DemoWorld) -> None:
        self.out = out
        self.emu = emu
        self.world = world
        self.pad = max(len(p.name) for p in world.people)

    # --- plain output -----------------------------------------------------------------

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def heading(self, text: str) -> None:
        self.line()
        self.line(f"── {text} " + "─" * max(3, WIDTH - len(text) - 4))

    def narrate(self, text: str) -> None:
        """A stage direction: what happens outside Discord's chat (settings, time passing)."""
        for part in textwrap.wrap(text, WIDTH - 2):
            self.line(f"  {part}")

    def action(self, who: Person | str, what: str, where: Channel | None = None) -> None:
        """`Dana  › /setup server create_missing:True` (and where it happened)."""
        name = who.name if isinstance(who, Person) else who
        lead = f"{name:<{self.pad}} › "
        parts = textwrap.wrap(
            lead + what, WIDTH, subsequent_indent=" " * len(lead), break_on_hyphens=False
        )
        if where is not None:
            place = f"(in {self.place(where)})"
            if len(parts[-1]) + 3 + len(place) <= WIDTH:
                parts[-1] += "   " + place
            else:
                parts.append(" " * len(lead) + place)
        for part in parts:
            self.line(part)

    def outcome(self, text: str) -> None:
        """A result line under an action (e.g. Discord itself refusing it)."""
        for part in textwrap.wrap(text, WIDTH - len(INDENT)):
            self.line(INDENT + part)

    # --- names ------------------------------------------------------------------------

    def name_of(self, user_id: int) -> str:
        if user_id == self.emu.bot_user_id:
            return "Lantern"
        person = self.world.person(user_id)
        if person is not None:
            return person.name
        user = self.emu.world.users.get(user_id)
        return (user.global_name or user.username) if user else f"user {user_id}"

    def place(self, channel: Channel) -> str:
        if channel.is_dm:
            return f"DM with {self.name_of(channel.recipients[0])}"
        if channel.type == CATEGORY:
            return f"category {channel.name}"
        return f"#{channel.name}"

    def option(self, value: Any) -> str:
        """How an option value reads in `/command name:value`."""
        if isinstance(value, Role):
            return f"@{value.name}"
        if isinstance(value, Channel):
            return self.place(value)
        if isinstance(value, Person):
            return f"@{value.name}"
        if hasattr(value, "user") and hasattr(value, "guild_id"):
            return f"@{self.name_of(value.id)}"
        return str(value)

    def command(self, name: str, options: dict[str, Any]) -> str:
        shown = " ".join(f"{key}:{self.option(value)}" for key, value in options.items())
        return f"/{name} {shown}".rstrip()

    def readable(self, text: str) -> str:
        """Mentions as names, and Discord's markdown emphasis removed."""
        world = self.emu.world

        def role(match: re.Match[str]) -> str:
            role_id = int(match.group(1))
            for guild in world.guilds.values():
                if role_id in guild.roles:
                    return f"@{guild.roles[role_id].name}"
            return "@deleted-role"

        def channel(match: re.Match[str]) -> str:
            found = world.channels.get(int(match.group(1)))
            return self.place(found) if found else "#deleted-channel"

        text = _ROLE.sub(role, text)
        text = _USER.sub(lambda m: f"@{self.name_of(int(m.group(1)))}", text)
        text = _CHANNEL.sub(channel, text)
        text = _COMMAND.sub(lambda m: f"/{m.group(1)}", text)
        return text.replace("**", "").replace("__", "")

    # --- snapshots and changes ----------------------------------------------------------

    def snapshot(self) -> Snapshot:
        world = self.emu.world
        guild = self.world.guild
        channels = [c for c in guild.channels.values() if not c.is_thread]
        return Snapshot(
            messages={m.id: _fingerprint(m) for m in world.messages.values() if not m.deleted},
            visible={
                p.id: frozenset(c.id for c in channels if can_view(world, p.id, c))
                for p in self.world.people
            },
            channels=frozenset(guild.channels),
            roles=frozenset(guild.roles),
        )

    def changes(self, before: Snapshot) -> None:
        """Print what changed since `before`, for whom; then who saw nothing new."""
        after = self.snapshot()
        affected: set[int] = set()
        self._server_changes(before, after)
        affected |= self._visibility_changes(before, after)
        for message in self._changed_messages(before):
            affected |= self._show_message(message, edited=message.id in before.messages)
        quiet = [p.name for p in self.world.people if p.id not in affected]
        if quiet and affected:
            self.outcome(f"{_join(quiet)}: nothing new (they see none of this).")
        elif quiet:
            self.outcome("Nobody sees anything new.")

    def _server_changes(self, before: Snapshot, after: Snapshot) -> None:
        guild = self.world.guild
        added = [
            f"role @{guild.roles[r].name}"
            for r in sorted(after.roles - before.roles)  # ids grow: creation order
        ]
        for channel_id in sorted(after.channels - before.channels):
            channel = guild.channels[channel_id]
            if channel.is_thread:
                continue
            who = [p.name for p in self.world.people if channel.id in after.visible[p.id]]
            if len(who) == len(self.world.people):
                seen = "everyone"
            else:
                seen = _join(who) + " only" if who else "no one in the demo"
            added.append(f"{self.place(channel)} (visible to {seen})")
        removed = len(before.channels - after.channels) + len(before.roles - after.roles)
        if added:
            self.outcome("Server now has: " + "; ".join(added) + ".")
        if removed:
            self.outcome(f"{removed} role(s)/channel(s) were removed.")

    def _visibility_changes(self, before: Snapshot, after: Snapshot) -> set[int]:
        affected = set()
        guild = self.world.guild
        for person in self.world.people:
            old = before.visible.get(person.id, frozenset()) & after.channels
            new = after.visible[person.id] & before.channels  # new channels are listed above
            gained = sorted(new - old)
            lost = sorted(old - after.visible[person.id])
            if gained:
                names = ", ".join(self.place(guild.channels[c]) for c in gained)
                self.outcome(f"{person.name} can now see {names}.")
            if lost:
                names = ", ".join(self.place(guild.channels[c]) for c in lost)
                self.outcome(f"{person.name} can no longer see {names}.")
            if gained or lost:
                affected.add(person.id)
        return affected

    def _changed_messages(self, before: Snapshot) -> list[Message]:
        live = [m for m in self.emu.world.messages.values() if not m.deleted]
        return sorted(
            (m for m in live if before.messages.get(m.id) != _fingerprint(m)),
            key=lambda m: m.id,
        )

    def _show_message(self, message: Message, *, edited: bool) -> set[int]:
        """Render one message under a line saying where it is and who sees it."""
        world = self.emu.world
        channel = world.channels[message.channel_id]
        author = self.name_of(message.author.id)
        seers = [p for p in self.world.people if can_see_message(world, p.id, message)]
        change = "edits its message" if edited else "posts"
        if message.ephemeral_for is not None:
            target = self.name_of(message.ephemeral_for)
            header = f"{author} → {target}, in {self.place(channel)} (only {target} sees this)"
        elif channel.is_dm:
            if message.author.id == self.emu.bot_user_id:
                header = f"DM to {self.name_of(channel.recipients[0])}, from {author}"
            else:
                header = f"DM from {author} to Lantern"
        else:
            everyone = len(seers) == len(self.world.people)
            audience = "everyone there" if everyone else _join(p.name for p in seers) or "no one"
            header = f"{author} {change} in {self.place(channel)} (seen by {audience})"
        if edited and (message.ephemeral_for is not None or channel.is_dm):
            header += " [edited]"
        self.outcome(header + ":")
        for body_line in self.render(message):
            self.line((BODY + body_line).rstrip())
        return {p.id for p in seers}

    # --- message bodies ---------------------------------------------------------------

    def render(self, message: Message) -> list[str]:
        """Content, then each embed as title, description and `Field: value` lines, then
        buttons as `[Label]` and selects as `[▾ placeholder]`."""
        lines: list[str] = []
        if message.flags & (1 << 7):  # a deferred response not completed yet
            lines.append("Lantern is thinking…")
        lines += self._wrapped(message.content)
        for embed in message.embeds:
            lines += self._embed(embed)
        controls = self._controls(message.components)
        if controls:
            lines.append(controls)
        for attachment in message.attachments:
            lines.append(f"📎 {attachment.filename} ({attachment.size} bytes)")
        return lines or ["(empty message)"]

    def _embed(self, embed: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        if embed.get("title"):
            lines.append(f"▌ {self.readable(embed['title'])}")
        lines += self._wrapped(embed.get("description") or "")
        for field in embed.get("fields", []):
            value = self.readable(str(field.get("value", ""))).splitlines() or [""]
            lines += self._wrapped(f"{self.readable(field.get('name', ''))}: {value[0]}")
            for more in value[1:]:
                lines += self._wrapped(f"    {more}")
        footer = (embed.get("footer") or {}).get("text")
        if footer:
            lines += self._wrapped(f"— {footer}")
        return lines

    def _controls(self, components: list[dict[str, Any]]) -> str:
        shown = []
        for component in walk_components(components):
            if component.get("type") == BUTTON:
                label = component.get("label") or component.get("emoji", {}).get("name") or "…"
                shown.append(f"[{label}]")
            elif component.get("type") in SELECT:
                shown.append(f"[▾ {component.get('placeholder') or 'choose'}]")
        return " ".join(shown)

    def _wrapped(self, text: str) -> list[str]:
        lines: list[str] = []
        for raw in self.readable(text).splitlines():
            lines += textwrap.wrap(raw, WIDTH - len(BODY), subsequent_indent="  ") or [""]
        return lines


def _fingerprint(message: Message) -> tuple[str, str, str, int]:
    return (message.content, repr(message.embeds), repr(message.components), message.flags)


def _join(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
