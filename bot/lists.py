"""Splitting lists into what Discord accepts, without ever cutting a line in the middle.

Pure logic (no discord import): lines are packed into field values (1,024 characters) and
descriptions (4,096), and fields into pages that respect 25 fields and the 6,000 characters
an embed may hold in all (title, description, field names and values, footer, author).
Sizes are counted as Discord's emulator counts them, `len()` of the str (code points). A
single line longer than its place is split at a word boundary and marked with "…" rather
than dropped. `bot/pages.py` turns the pages into embeds and a Previous / Next view.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_LIMIT = 6000
SELECT_OPTION_LIMIT = 25

ELLIPSIS = "…"
CONTINUED = " (continued)"
PAGE_SEPARATOR = " · "

# Never split between these and their neighbour: the pieces would show as broken glyphs
# (a joined emoji family, a flag, a skin tone, an accent on the next line).
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.name) + len(self.value)


@dataclass(frozen=True)
class Group:
    """A titled run of lines: one field, or several ("… (continued)") when it is long."""

    name: str
    lines: Sequence[str]
    inline: bool = False


@dataclass(frozen=True)
class Page:
    title: str
    description: str
    fields: tuple[Field, ...]
    footer: str
    author: str = ""

    @property
    def size(self) -> int:
        """Characters Discord counts toward the 6,000 an embed may hold."""
        fixed = len(self.title) + len(self.description) + len(self.footer) + len(self.author)
        return fixed + sum(f.size for f in self.fields)


# --- lines -------------------------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    """`text` if it fits, else its start cut at a word boundary with "…" (names, titles)."""
    return text if len(text) <= limit else split_line(text, limit)[0]


def split_line(line: str, limit: int) -> list[str]:
    """One line as pieces of at most `limit` characters, broken at whitespace where there
    is any ("first part…", "…next part"); a word longer than a piece is cut between
    characters, never inside an emoji sequence or before a combining mark."""
    if limit < 3:
        raise ValueError("a piece needs room for at least one character and two ellipses")
    if len(line) <= limit:
        return [line]
    pieces: list[str] = []
    rest, prefix = line, ""
    while len(prefix) + len(rest) > limit:
        room = limit - len(prefix) - len(ELLIPSIS)
        cut = _break_at(rest, room)
        head = rest[:cut].rstrip()
        pieces.append(prefix + head + ELLIPSIS)
        rest, prefix = rest[cut:].lstrip(), ELLIPSIS
    pieces.append(prefix + rest)
    return pieces


def _break_at(text: str, room: int) -> int:
    """Where to end a piece of at most `room` characters of `text` (len(text) > room)."""
    for i in range(room, 0, -1):
        if text[i].isspace():
            return i
    cut = room
    while cut > 1 and _inseparable(text[cut - 1], text[cut]):
        cut -= 1
    return cut


def _inseparable(before: str, after: str) -> bool:
    return (
        after in _JOINERS
        or before == "\u200d"
        or unicodedata.combining(after) != 0
        or 0x1F3FB <= ord(after) <= 0x1F3FF  # skin tone modifiers
        or (_regional(before) and _regional(after))
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def pack(lines: Iterable[str], limit: int = FIELD_VALUE_LIMIT) -> list[str]:
    """Lines joined by newlines into as few chunks of at most `limit` characters as they
    fit in, in order; a line never straddles two chunks unless it alone is too long."""
    chunks: list[str] = []
    current: str | None = None
    for line in lines:
        for piece in split_line(line, limit):
            if current is not None and len(current) + 1 + len(piece) <= limit:
                current += "\n" + piece
            else:
                if current is not None:
                    chunks.append(current)
                current = piece
    if current is not None:
        chunks.append(current)
    return chunks


def group_fields(group: Group) -> list[Field]:
    """A group as fields of at most 1,024 characters each; an empty group shows "—"
    (Discord refuses an empty field value)."""
    values = [v for v in pack(group.lines, FIELD_VALUE_LIMIT) if v.strip()] or ["—"]
    first = shorten(group.name, FIELD_NAME_LIMIT) or "—"
    later = shorten(group.name, FIELD_NAME_LIMIT - len(CONTINUED)) + CONTINUED
    return [
        Field(first if i == 0 else later, value, group.inline) for i, value in enumerate(values)
    ]


# --- pages -------------------------------------------------------------------------------


def page_footer(footer: str, number: int, count: int) -> str:
    """The footer of page `number` (from 1) of `count`: "Page 2 of 3" after the text."""
    if count <= 1:
        return footer
    label = f"Page {number} of {count}"
    return f"{footer}{PAGE_SEPARATOR}{label}" if footer else label


def paginate(
    groups: Sequence[Group] = (),
    *,
    lines: Sequence[str] = (),
    title: str = "",
    footer: str = "",
    author: str = "",
    empty: str = "Nothing to show.",
) -> list[Page]:
    """Pages that together show every line: `lines` fill the description (continued on the
    next page when long), then each group's fields follow, a group kept on one page when it
    fits on one. Every page fits Discord's limits exactly, "Page i of n" footer included."""
    title = shorten(title, TITLE_LIMIT)
    author = shorten(author, AUTHOR_LIMIT)
    footer = shorten(footer, FOOTER_LIMIT - len(PAGE_SEPARATOR + "Page 999 of 999"))
    if not lines and not groups:
        lines = [empty]
    # Lay out without a page label first; if that takes several pages, lay out again with
    # room for the longest label of that many digits, until the count fits the room.
    reserve = footer
    while True:
        layout = _layout(groups, lines, EMBED_LIMIT - len(title) - len(author) - len(reserve))
        count = len(layout)
        if len(page_footer(footer, count, count)) <= len(reserve):
            break
        digits = len(str(count))
        reserve = page_footer(footer, 10**digits - 1, 10**digits - 1)
    return [
        Page(title, description, fields, page_footer(footer, i, count), author)
        for i, (description, fields) in enumerate(layout, start=1)
    ]


def _layout(
    groups: Sequence[Group], lines: Sequence[str], budget: int
) -> list[tuple[str, tuple[Field, ...]]]:
    descriptions = pack(lines, min(DESCRIPTION_LIMIT, budget)) or [""]
    pages: list[tuple[str, list[Field]]] = [(d, []) for d in descriptions]

    def room(page: tuple[str, list[Field]]) -> int:
        return budget - len(page[0]) - sum(f.size for f in page[1])

    for group in groups:
        fields = group_fields(group)
        whole = sum(f.size for f in fields)
        current = pages[-1]
        fits_here = len(current[1]) + len(fields) <= FIELD_COUNT_LIMIT and whole <= room(current)
        fits_alone = len(fields) <= FIELD_COUNT_LIMIT and whole <= budget
        if not fits_here and fits_alone and (current[0] or current[1]):
            pages.append(("", []))
        for item in fields:
            current = pages[-1]
            if len(current[1]) >= FIELD_COUNT_LIMIT or item.size > room(current):
                pages.append(("", []))
            pages[-1][1].append(item)
    return [(d, tuple(f)) for d, f in pages]


def omitted(shown: int, total: int, where: str) -> str:
    """A footer for a list bounded at its newest `shown` of `total` items: how many older
    ones it leaves out and `where` to read them; "" when nothing is left out."""
    older = total - shown
    return f"Newest {shown} of {total}: {older} older not shown ({where})." if older > 0 else ""


def windows(count: int, size: int = SELECT_OPTION_LIMIT) -> list[range]:
    """Index ranges of `size` items (the last shorter): pages of a select's options."""
    return [range(start, min(start + size, count)) for start in range(0, count, size)] or [range(0)]
