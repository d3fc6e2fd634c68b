"""Which literal strings a regular expression cannot match without (pure; for the first pass).

``required_literals(pattern)`` returns sets of strings such that every match of the pattern
contains a member of each set ("kil" and one of "me", "myself"...), or ``()`` when none is
known. A text missing every member of one set cannot match, so the detector skips that rule's
regex (see ``first_pass.py``).

The analysis reads Python's own parse of the pattern (``re._parser``, what ``re.compile``
uses) and is conservative by construction: anything it does not model (a case-insensitive
group, a back-reference, a wide character class, an unknown node) counts as "could be
anything" and at worst loses a filter, never a match. Per node it works out

- ``exact``: every string the node can match, while there are at most ``LIMIT`` of them;
- ``clauses``: sets each with one member inside every match of the node (the most selective
  ``KEEP``).

A sequence needs the clauses of its parts and of the exact runs it contains spelled out
("wish(?:ed)? i" gives "wish i" or "wished i"); a branch needs a member of one clause of each
alternative (the best of each, the second best of each...); a repeat counts only when it
occurs at least once. The clauses come most selective first (longest shortest member).

``trie_pattern(words)`` writes one regex matching the longest of ``words`` at a position,
factored by common prefixes, so one scan finds which of them a text holds at C speed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from re import _constants as sre  # Python's regex parser: the source of truth for matching
from re import _parser as sre_parse
from typing import Any

__all__ = ["KEEP", "LIMIT", "required_literals", "trie_pattern"]

LIMIT = 32
"""Most strings an exact set may hold before it is given up (products grow fast)."""

KEEP = 4
"""Most clauses kept per node: the most selective ones; dropping one only weakens the filter."""

_CLASS_LIMIT = 12  # a character class with more characters than this matches "anything"

Clause = frozenset[str]


@dataclass(frozen=True, slots=True)
class _Info:
    exact: frozenset[str] | None
    clauses: tuple[Clause, ...]


_ANYTHING = _Info(None, ())
_EMPTY = _Info(frozenset({""}), ())


def required_literals(pattern: str, flags: int = 0) -> tuple[Clause, ...]:
    """Sets of strings, a member of each of which every match of ``pattern`` contains; ``()``
    when none is known (the pattern could match text without any particular string)."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:  # a pattern re cannot compile matches nothing; no filter is safe too
        return ()
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return ()
    return tuple(_minimal(clause) for clause in _sequence(list(parsed)).clauses)


def trie_pattern(words: Iterable[str]) -> str:
    """One regex source matching, at a position, the longest of ``words`` that starts there
    (each non-empty), factored by common prefixes so a scan costs one test per character."""
    trie: dict[str, Any] = {}
    for word in words:
        if not word:
            raise ValueError("empty word")
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return _trie_source(trie)


def _trie_source(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [
        re.escape(char) + _trie_source(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
    # Greedy: a longer word is tried first, the word ending here only when none fits.
    return body + "?" if ends else body


def _minimal(strings: Clause) -> Clause:
    """Drop strings that contain another member: finding the shorter one is enough."""
    if len(strings) < 2:
        return strings
    kept: list[str] = []
    for s in sorted(set(strings), key=len):
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _clause(exact: frozenset[str] | None) -> Clause | None:
    if exact is None or "" in exact:
        return None
    return exact


def _quality(clause: Clause) -> tuple[int, int]:
    """Longer shortest member first (rarer in chat), then fewer members (cheaper to test)."""
    return min(min(map(len, clause)), 6), -len(clause)


def _best(clauses: Iterable[Clause | None]) -> tuple[Clause, ...]:
    found = {c for c in clauses if c}
    # min(c) breaks ties so the choice does not depend on string hashing (same every run).
    return tuple(sorted(found, key=lambda c: (_quality(c), min(c)), reverse=True)[:KEEP])


def _times(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > LIMIT:
        return None
    if left is _NOTHING_YET:
        return right
    return frozenset(a + b for a in left for b in right)


_NOTHING_YET = frozenset({""})


def _sequence(items: list[tuple[Any, Any]]) -> _Info:
    candidates: list[Clause | None] = []
    whole = True  # no part broke the run yet: the run spells the whole sequence
    run = _NOTHING_YET  # the exact spellings of the current run of exact parts
    for op, av in _words(items):
        info = _Info(frozenset({av}), ()) if op is _WORD else _node(op, av)
        if info.exact is None:
            whole = False
            candidates.extend(info.clauses)  # exact parts count through their runs
            candidates.append(_clause(run))
            run = _NOTHING_YET
            continue
        joined = _times(run, info.exact)
        if joined is None:  # too many spellings: close the run, start again from here
            whole = False
            candidates.append(_clause(run))
            joined = info.exact
        run = joined
    candidates.append(_clause(run))
    return _Info(run if whole else None, _best(candidates))


_WORD = object()  # a run of literal characters, joined (most of a pattern: done at once)


def _words(items: list[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    word: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            word.append(chr(av))
            continue
        if word:
            yield _WORD, "".join(word)
            word = []
        yield op, av
    if word:
        yield _WORD, "".join(word)


def _node(op: Any, av: Any) -> _Info:
    if op is sre.LITERAL:
        return _Info(frozenset({chr(av)}), ())
    if op is sre.IN:
        chars = _class_chars(av)
        return _ANYTHING if chars is None else _Info(chars, ())
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _EMPTY  # zero width: adds nothing to what the match contains
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        if add_flags & (re.IGNORECASE | re.VERBOSE):
            return _ANYTHING
        return _sequence(list(body))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is sre.BRANCH:
        return _branch([_sequence(list(alt)) for alt in av[1]])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, body = av
        return _repeat(low, high, _sequence(list(body)))
    return _ANYTHING  # ANY, NOT_LITERAL, GROUPREF...: could be anything


def _branch(alternatives: list[_Info]) -> _Info:
    exact: frozenset[str] | None = frozenset()
    for alternative in alternatives:
        if exact is None or alternative.exact is None or len(exact | alternative.exact) > LIMIT:
            exact = None
        else:
            exact = exact | alternative.exact
    # A match is a match of one alternative, so it holds a member of one clause chosen from
    # each alternative: choosing each one's best, second best... gives up to KEEP clauses.
    picks = [_best([*a.clauses, _clause(a.exact)]) for a in alternatives]
    either: list[Clause | None] = [_clause(exact)]
    if all(picks):
        for rank in range(KEEP):
            chosen = (pick[min(rank, len(pick) - 1)] for pick in picks)
            either.append(frozenset(chain.from_iterable(chosen)))
    return _Info(exact, _best(either))


def _repeat(low: int, high: int, body: _Info) -> _Info:
    exact: frozenset[str] | None = None
    if body.exact is not None and high != sre.MAXREPEAT and high <= 3:
        spellings: set[str] = {""} if low == 0 else set()
        power: frozenset[str] | None = _NOTHING_YET
        for times in range(1, high + 1):
            power = _times(power, body.exact) if power is not None else None
            if power is None:
                break
            if times >= low:
                spellings |= power
        else:
            exact = frozenset(spellings) if len(spellings) <= LIMIT else None
    if low == 0:
        return _Info(exact, ())
    return _Info(exact, _best([*body.clauses, _clause(body.exact), _clause(exact)]))


def _class_chars(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < _CLASS_LIMIT:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY (\w, \d, \s), wide ranges
            return None
        if len(chars) > _CLASS_LIMIT:
            return None
    return frozenset(chars)
