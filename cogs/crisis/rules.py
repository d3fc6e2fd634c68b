"""The crisis rules file (`config/crisis_rules.toml`): its schema, loading and validation.

Everything the detector decides comes from a named entry in that file:

- ``[[rule]]``: a cue (patterns over normalised text) with a category, a level, a weight and
  a label a facilitator can read;
- ``[[modifier]]``: context that cancels or downgrades a cue (negation, past tense, someone
  else, an idiom, a song or a game, a routine medication...), with a scope relative to it;
- ``[[escalation]]``: categories that together raise the level (hopelessness + a plan...).

Patterns may use ``{macro}`` names from ``[macros]``; a doubled letter in a pattern also
matches a single one ("kill" matches "kil"), because normalisation collapses stretched
letters ("killll" -> "kil"). A broken file raises `RulesFileError` naming the entry.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from config.resources import DataFileError

DEFAULT_RULES_PATH = Path(__file__).resolve().parents[2] / "config" / "crisis_rules.toml"

Level = Literal["crisis", "concern", "none"]
LEVELS: tuple[Level, ...] = ("none", "concern", "crisis")  # index = severity
_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
_MACRO = re.compile(r"\{([a-z_]+)\}")


class RulesFileError(DataFileError):
    """The rules file is missing or invalid; the message names the file and the entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    id: str = Field(pattern=_ID)
    category: str
    level: Level
    weight: float = Field(gt=0, le=1)
    label: str = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    examples: tuple[str, ...] = ()
    immune_to: tuple[str, ...] = ()


class ModifierSpec(_Strict):
    id: str = Field(pattern=_ID)
    effect: Literal["cancel", "downgrade"]
    scope: Literal["before", "after", "next", "clause", "overlap", "contains", "message"]
    label: str = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    applies_to: tuple[str, ...] = ("*",)
    max_gap: int = Field(default=10_000, ge=0)
    blocked_by: tuple[str, ...] = ()
    block_includes_cue: bool = False
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


class EscalationSpec(_Strict):
    id: str = Field(pattern=_ID)
    level: Literal["crisis", "concern"]
    weight: float = Field(gt=0, le=1)
    label: str = Field(min_length=1)
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    min_any: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _needs_a_condition(self) -> Self:
        if not self.all_of and not self.any_of:
            raise ValueError(f"escalation {self.id!r} needs all_of or any_of")
        return self


class ScoreBands(_Strict):
    concern: float = Field(gt=0, lt=1)
    crisis: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.concern < self.crisis:
            raise ValueError("score.concern must be below score.crisis")
        return self


class NormaliseSpec(_Strict):
    fold: dict[str, str] = {}
    leet: dict[str, str] = {}
    censored_words: tuple[str, ...] = ()
    number_suffixes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _single_characters(self) -> Self:
        for table, mapping in (("fold", self.fold), ("leet", self.leet)):
            for key, value in mapping.items():
                if len(key) != 1 or (table == "leet" and len(value) != 1):
                    raise ValueError(
                        f"normalise.{table}: {key!r} -> {value!r} must map one character"
                    )
        return self


class RuleFile(_Strict):
    version: int = Field(ge=1)
    score: ScoreBands
    normalise: NormaliseSpec
    categories: dict[str, str]
    macros: dict[str, str] = {}
    clause_breaks: tuple[str, ...] = Field(min_length=1)
    rule: tuple[RuleSpec, ...] = Field(min_length=1)
    modifier: tuple[ModifierSpec, ...] = ()
    escalation: tuple[EscalationSpec, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: set[str] = set()
        for kind, entries in (
            ("rule", self.rule),
            ("modifier", self.modifier),
            ("escalation", self.escalation),
        ):
            for entry in entries:
                if entry.id in seen:
                    raise ValueError(f"{kind} {entry.id!r}: id is used twice")
                seen.add(entry.id)
        modifier_ids = {m.id for m in self.modifier}
        for rule in self.rule:
            if rule.category not in self.categories:
                raise ValueError(f"rule {rule.id!r}: unknown category {rule.category!r}")
            for name in rule.immune_to:
                if name not in modifier_ids:
                    raise ValueError(f"rule {rule.id!r}: immune_to names unknown modifier {name!r}")
            for i, pattern in enumerate(rule.patterns, 1):
                compile_pattern(pattern, self.macros, f"rule {rule.id!r}: pattern {i}")
        for mod in self.modifier:
            for name in mod.applies_to:
                if name != "*" and name not in self.categories:
                    raise ValueError(f"modifier {mod.id!r}: applies_to unknown category {name!r}")
            for i, pattern in enumerate(
                mod.patterns + mod.blocked_by + mod.requires + mod.unless, 1
            ):
                compile_pattern(pattern, self.macros, f"modifier {mod.id!r}: pattern {i}")
        for esc in self.escalation:
            for name in esc.all_of + esc.any_of:
                if name not in self.categories:
                    raise ValueError(f"escalation {esc.id!r}: unknown category {name!r}")
        for i, pattern in enumerate(self.clause_breaks, 1):
            compile_pattern(pattern, self.macros, f"clause_breaks: pattern {i}")
        return self


def expand_macros(pattern: str, macros: dict[str, str], where: str) -> str:
    """Replace ``{name}`` with ``(?:macro)``; macros may use macros defined before them."""
    for _ in range(5):
        if not _MACRO.search(pattern):
            return pattern

        def _sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in macros:
                raise ValueError(f"{where}: unknown macro {{{name}}}")
            return f"(?:{macros[name]})"

        pattern = _MACRO.sub(_sub, pattern)
    raise ValueError(f"{where}: macros nest too deeply")


def tolerate_doubled_letters(pattern: str) -> str:
    """Let each literal doubled letter also match one ("kill" -> "kill?").

    Escapes, character classes, ``{m,n}`` and group openers are copied unchanged; a letter
    pair already followed by a quantifier is left alone.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif in_class:
            in_class = char != "]"
            out.append(char)
            i += 1
        elif char == "[":
            in_class = True
            j = i + 1
            if pattern.startswith("^", j):
                j += 1
            if pattern.startswith("]", j):
                j += 1
            out.append(pattern[i:j])
            i = j
        elif char == "{" and (close := pattern.find("}", i)) != -1:
            out.append(pattern[i : close + 1])
            i = close + 1
        elif pattern.startswith("(?", i):
            width = 4 if pattern.startswith(("(?<=", "(?<!"), i) else 3
            out.append(pattern[i : i + width])
            i += width
        elif (
            "a" <= char <= "z"
            and pattern.startswith(char, i + 1)
            and (i + 2 >= n or pattern[i + 2] not in "?*+{")
        ):
            out.append(f"{char}{char}?")
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def pattern_source(pattern: str, macros: dict[str, str], where: str) -> str:
    """The regex source one pattern of the rules file stands for (macros in, doubled letters
    tolerant), as `compile_pattern` compiles it."""
    return tolerate_doubled_letters(expand_macros(pattern, macros, where))


def compile_pattern(pattern: str, macros: dict[str, str], where: str) -> re.Pattern[str]:
    """Expand, make tolerant and compile one pattern; ValueError names ``where``."""
    if "(?P" in pattern or re.search(r"\\[1-9]", pattern):
        raise ValueError(f"{where}: named groups and back-references are not allowed")
    source = pattern_source(pattern, macros, where)
    try:
        compiled = re.compile(source)
    except re.error as exc:
        raise ValueError(f"{where} does not compile: {exc}") from None
    if compiled.fullmatch(""):
        raise ValueError(f"{where} matches empty text")
    return compiled


def compile_alternatives(
    patterns: tuple[str, ...], macros: dict[str, str], where: str
) -> re.Pattern[str]:
    """One regex matching any of ``patterns`` (each compiled on its own first, for errors)."""
    sources = [
        compile_pattern(p, macros, f"{where}: pattern {i}").pattern
        for i, p in enumerate(patterns, 1)
    ]
    # Python's re tries every alternative at every position; the patterns that start with a
    # word boundary share one "\b" test, so most positions (inside words) fail once, not N times.
    bounded = [s[2:] for s in sources if s.startswith("\\b")]
    others = [s for s in sources if not s.startswith("\\b")]
    parts = [f"(?:{s})" for s in others]
    if bounded:
        parts.insert(0, "\\b(?:" + "|".join(f"(?:{s})" for s in bounded) + ")")
    return re.compile("|".join(parts))


def load_rules(path: Path = DEFAULT_RULES_PATH) -> RuleFile:
    """Read and validate the rules file; RulesFileError says what is wrong and where."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise RulesFileError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{path}: not valid TOML ({exc})") from None
    try:
        return RuleFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        where = _describe_location(first["loc"], raw)
        raise RulesFileError(f"{path}: {where}{message}") from None


def _describe_location(loc: tuple[Any, ...], raw: dict[str, Any]) -> str:
    if not loc:
        return ""
    head, rest = loc[0], loc[1:]
    if head in ("rule", "modifier", "escalation") and rest and isinstance(rest[0], int):
        entries = raw.get(head)
        entry = entries[rest[0]] if isinstance(entries, list) and rest[0] < len(entries) else {}
        ident = entry.get("id") if isinstance(entry, dict) else None
        name = f"{head} {ident!r}" if ident else f"{head} #{rest[0] + 1}"
        field = ".".join(str(part) for part in rest[1:])
        return f"{name}: {field}: " if field else f"{name}: "
    return ".".join(str(part) for part in loc) + ": "
