"""The safety plan's parts and the people in it, and what a person types into them: the
Stanley-Brown structure, how a "name - how to reach" line is read back, and what fits in a
modal. Pure: neither Discord nor the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

PART_LIMIT = 600  # 7 parts x 600 stay under Discord's 6000-character embed limit
PEOPLE_SLOTS = 5
PERSON_LIMIT = 100
MODAL_INPUT_LIMIT = 4000  # Discord's most for a text input's value

PLAN_PARTS = (
    "warning_signs",
    "coping_alone",
    "distractions",
    "people",
    "professionals",
    "safer_surroundings",
    "reasons",
)


@dataclass(frozen=True)
class Person:
    name: str
    reach: str = ""


@dataclass(frozen=True)
class SafetyPlan:
    guild_id: int
    user_id: int
    parts: dict[str, str] = field(default_factory=dict)
    people: tuple[Person, ...] = ()
    shared: bool = False
    updated_at: datetime | None = None

    def has(self, part: str) -> bool:
        return bool(self.people) if part == "people" else bool(self.parts.get(part))

    @property
    def empty(self) -> bool:
        return not any(self.has(p) for p in PLAN_PARTS)


@dataclass(frozen=True)
class Part:
    key: str
    button: str  # the checklist button (short, for a phone)
    heading: str  # how the part is titled when the plan is shown
    question: str  # the modal field label (Discord: at most 45 characters)
    hint: str  # the modal placeholder (at most 100 characters)


PARTS: tuple[Part, ...] = (
    Part(
        "warning_signs",
        "Warning signs",
        "1 · My warning signs",
        "What tells you a hard time may be coming?",
        "Thoughts, feelings or situations, e.g. not sleeping, pulling away from people",
    ),
    Part(
        "coping_alone",
        "Coping on my own",
        "2 · Things I can do on my own",
        "What can you do on your own to feel better?",
        "e.g. a walk, a shower, music, writing it down, a grounding exercise",
    ),
    Part(
        "distractions",
        "People & places",
        "3 · People and places that distract me",
        "Who or where takes your mind off things?",
        "e.g. a coffee shop, the library, calling my cousin, a meeting",
    ),
    Part(
        "people",
        "People to ask",
        "4 · People I can ask for help",
        "Someone you can ask for help",
        "Their name, and how to reach them, e.g. Sam - 555 0101",
    ),
    Part(
        "professionals",
        "Professionals & lines",
        "5 · Professionals and crisis lines",
        "Professionals and lines you can call",
        "Your counselor, your doctor, a crisis line",
    ),
    Part(
        "safer_surroundings",
        "Safer surroundings",
        "6 · Making my surroundings safer",
        "What can make your surroundings safer?",
        "e.g. ask someone to hold my medication, keep no alcohol at home",
    ),
    Part(
        "reasons",
        "Reasons for living",
        "💛 My reasons for living",
        "What are your reasons for living?",
        "People, pets, hopes, small things that matter to you",
    ),
)
BY_KEY = {p.key: p for p in PARTS}
assert tuple(p.key for p in PARTS) == PLAN_PARTS  # noqa: S101 (the stored columns and the UI agree)

_SPLIT = re.compile(r"\s+[-–—]\s+|\s*[:,;|]\s*")


def parse_person(line: str) -> Person | None:
    """'Sam - 555 0101' -> Person('Sam', '555 0101'); a name alone is kept as it is."""
    line = " ".join(line.split())[:PERSON_LIMIT]
    if not line:
        return None
    parts = _SPLIT.split(line, maxsplit=1)
    if len(parts) == 2 and parts[0] and parts[1]:
        return Person(parts[0], parts[1])
    return Person(line)


def person_text(person: Person) -> str:
    """How a person is pre-filled in the modal; re-parsed it gives the same person. Any
    person `parse_person` made fits in PERSON_LIMIT: its line had a separator at least as
    long as the shortest one used here."""
    if not person.reach:
        return person.name
    for separator in (" - ", ": ", ":"):
        text = f"{person.name}{separator}{person.reach}"
        if len(text) <= PERSON_LIMIT:
            return text
    return text


def prefill(text: str | None, limit: int) -> tuple[str | None, int]:
    """(default, max_length) for a modal text input: Discord refuses a modal whose default
    is longer than its max_length, so a value saved longer than today's limit (an older
    version's) widens the field to fit, up to Discord's 4,000, rather than losing words."""
    if not text:
        return None, limit
    return text[:MODAL_INPUT_LIMIT], max(limit, min(len(text), MODAL_INPUT_LIMIT))


def next_part(plan: SafetyPlan | None, after: str | None = None) -> str | None:
    """The first empty part after `after` (wrapping), to highlight as the next step."""
    keys = [p.key for p in PARTS]
    start = keys.index(after) + 1 if after in keys else 0
    for key in keys[start:] + keys[:start]:
        if plan is None or not plan.has(key):
            return key
    return None
