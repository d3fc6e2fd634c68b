"""Text normalisation for crisis matching, with a map back to the original offsets.

The steps, in order:

1. fold each character: lower-case, strip accents (NFKD), typographic quotes and dashes to
   ASCII, confusable letters (Cyrillic "а") to Latin, zero-width characters removed;
2. blank Discord markup (mentions, custom emoji, links) so names inside them never match;
3. undo leetspeak inside words ("k1ll" -> "kill") and starred-out words ("s*icide" ->
   "suicide", from a reviewed list of words people censor);
4. collapse stretched letters ("diiie" -> "die"; rules tolerate a lost double letter);
5. join spaced single letters ("k m s", "s-u-i-c-i-d-e");
6. collapse runs of spaces and tabs (new lines are kept: they end a clause).

Each step records, for every character it outputs, the span of original characters it came
from, so a match in the normalised text maps back to ``[start, end)`` in what the person
wrote. Messages that need none of the length-changing steps keep an identity map (no lists).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# (start, end, replacement, source indices or None); see _apply_edits.
Edit = tuple[int, int, str, Sequence[int] | None]

_MARKUP = re.compile(r"<a?:\w+:\d+>|<[@#][!&]?\d+>|<t:\d+(?::\w)?>|https?://\S+|www\.\S+")
_LEET_CANDIDATE = re.compile(r"[0-9@$!|*]")
_TOKEN = re.compile(r"[a-z0-9@$!|*]+")
# A token holding a digit or symbol ("k1ll", "s*icide"): when the leet table maps only digits
# and symbols, only those tokens can change, so the others need not be looked at.
_LEET_TOKEN = re.compile(r"(?<![a-z0-9@$!|*])[a-z0-9@$!|*]*[0-9@$!|*][a-z0-9@$!|*]*")
_DIGITS_AND_SYMBOLS = frozenset("0123456789@$!|*")
_EDGE_SYMBOLS = "!|*@"
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_SPACED = re.compile(r"(?<![\w'])[a-z](?:[ .\-_]{1,2}[a-z]){2,}(?![\w'])")
_LETTER = re.compile(r"[a-z]")
# A tab or other space that is not a plain one or a new line, or two plain spaces in a row.
_ODD_SPACE = re.compile(r"[^\S \n]| {2}")
# Runs of spaces and tabs (not new lines) other than one plain space: those stay as they are.
_SPACES = re.compile(r"(?<![^\S\n])(?:[^\S\n]{2,}|(?! )[^\S\n])(?![^\S\n])")


@dataclass(frozen=True, slots=True)
class Normalised:
    """Normalised text plus, per character, the original span it came from."""

    original: str
    text: str
    starts: list[int] | None = None  # None: identity map
    ends: list[int] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``text`` to the span of ``original`` it came from."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character on first sight and remembers it.

    ``irregular`` collects the characters that do not fold to exactly one character; a message
    containing none of them keeps its offsets unchanged by folding.
    """

    def __init__(self, extra: Mapping[str, str]) -> None:
        super().__init__()
        self.irregular: set[str] = set()
        for char, folded in extra.items():
            if len(folded) != 1:
                self.irregular.add(char)
            self[ord(char)] = folded

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _fold_char(char)
        if len(folded) != 1:
            self.irregular.add(char)  # before caching, so no reader sees one without the other
        self[code] = folded
        return folded


def _fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    if unicodedata.category(char) == "Cf":  # zero-width joiners, soft hyphens, BOM
        return ""
    decomposed = unicodedata.normalize("NFKD", char.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class Normaliser:
    """Builds `Normalised` texts. Configured from the `[normalise]` table of the rules file."""

    def __init__(
        self,
        fold: Mapping[str, str],
        leet: Mapping[str, str],
        censored_words: Iterable[str],
        number_suffixes: Iterable[str],
    ) -> None:
        self._fold = _FoldTable(fold)
        self._leet = str.maketrans(dict(leet))
        self._tokens = _LEET_TOKEN if _DIGITS_AND_SYMBOLS.issuperset(leet) else _TOKEN
        self._censored = tuple(censored_words)
        suffixes = "|".join(sorted((re.escape(s) for s in number_suffixes), key=len, reverse=True))
        self._number_with_suffix = re.compile(rf"\d+(?:{suffixes})?")

    def normalise(self, text: str) -> Normalised:
        folded = text.translate(self._fold)
        starts: list[int] | None = None
        ends: list[int] | None = None
        if not self._fold.irregular.isdisjoint(text):
            folded, starts, ends = self._fold_slowly(text)
        for step in (self._markup, self._leetspeak, self._stretched, self._spaced, self._spaces):
            edits = step(folded)
            if edits:
                folded, starts, ends = _apply_edits(folded, starts, ends, edits)
        return Normalised(text, folded, starts, ends)

    def _fold_slowly(self, text: str) -> tuple[str, list[int], list[int]]:
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        table = self._fold
        for i, char in enumerate(text):
            folded = table[ord(char)]
            if folded:
                out.append(folded)
                starts.extend([i] * len(folded))
                ends.extend([i + 1] * len(folded))
            elif ends:  # a dropped mark (zalgo, accent) belongs to the character before it
                ends[-1] = i + 1
        return "".join(out), starts, ends

    @staticmethod
    def _markup(text: str) -> list[Edit]:
        if "<" not in text and "http" not in text and "www." not in text:
            return []
        return [
            (m.start(), m.end(), " " * (m.end() - m.start()), None) for m in _MARKUP.finditer(text)
        ]

    def _leetspeak(self, text: str) -> list[Edit]:
        if not _LEET_CANDIDATE.search(text):
            return []
        edits: list[Edit] = []
        for match in self._tokens.finditer(text):
            token = match.group()
            lead, trail = 0, len(token)
            while lead < trail and token[lead] in _EDGE_SYMBOLS:
                lead += 1
            while trail > lead and token[trail - 1] in _EDGE_SYMBOLS + "$":
                trail -= 1
            core = token[lead:trail]
            if sum(c.isalpha() for c in core) < 2 or self._number_with_suffix.fullmatch(core):
                continue
            replacement = core.translate(self._leet)
            if "*" in core:
                replacement = self._uncensor(replacement) or replacement
            if replacement != core:
                edits.append((match.start() + lead, match.start() + trail, replacement, None))
        return edits

    def _uncensor(self, token: str) -> str | None:
        """The reviewed word that ``token`` spells with stars for letters ("s*icide")."""
        parts = re.split(r"(\*+)", token)
        pattern = "".join(
            f"[a-z]{{{len(p)},{len(p) + 2}}}" if p.startswith("*") else re.escape(p)
            for p in parts
            if p
        )
        for word in self._censored:
            if re.fullmatch(pattern, word):
                return word
        return None

    @staticmethod
    def _stretched(text: str) -> list[Edit]:
        return [(m.start(), m.end(), m.group(1), None) for m in _STRETCHED.finditer(text)]

    @staticmethod
    def _spaced(text: str) -> list[Edit]:
        edits: list[Edit] = []
        for match in _SPACED.finditer(text):
            letters = [
                (m.start() + match.start(), m.group()) for m in _LETTER.finditer(match.group())
            ]
            joined = "".join(letter for _, letter in letters)
            edits.append((match.start(), match.end(), joined, [i for i, _ in letters]))
        return edits

    @staticmethod
    def _spaces(text: str) -> list[Edit]:
        if not _ODD_SPACE.search(text):  # only single plain spaces: nothing to collapse
            return []
        return [(m.start(), m.end(), " ", None) for m in _SPACES.finditer(text)]


def _apply_edits(
    text: str, starts: list[int] | None, ends: list[int] | None, edits: list[Edit]
) -> tuple[str, list[int] | None, list[int] | None]:
    """Apply sorted, non-overlapping edits, carrying the offset map along.

    A replacement as long as what it replaces maps character by character; a shorter or
    longer one maps every output character to the whole replaced span, unless the edit lists
    the source index of each output character.
    """
    pieces: list[str] = []
    pos = 0
    for start, end, replacement, _ in edits:
        pieces.append(text[pos:start])
        pieces.append(replacement)
        pos = end
    pieces.append(text[pos:])
    new_text = "".join(pieces)
    if all(src is None and len(rep) == end - start for start, end, rep, src in edits):
        return new_text, starts, ends
    if starts is None or ends is None:
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for start, end, replacement, source in edits:
        new_starts.extend(starts[pos:start])
        new_ends.extend(ends[pos:start])
        if source is not None:
            new_starts.extend(starts[i] for i in source)
            new_ends.extend(ends[i] for i in source)
        elif len(replacement) == end - start:
            new_starts.extend(starts[start:end])
            new_ends.extend(ends[start:end])
        else:
            new_starts.extend([starts[start]] * len(replacement))
            new_ends.extend([ends[end - 1]] * len(replacement))
        pos = end
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return new_text, new_starts, new_ends
