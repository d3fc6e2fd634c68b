"""Discord's documented limits that its OpenAPI description does not express.

`openapi.py` checks each body against the spec (lengths, counts, ranges, types); these are
the rest: sums across fields (6,000 embed characters, 4,000 characters per command),
cross-field rules (component rows, link buttons, select values, modal inputs), and limits
that depend on the server's state (500 channels, 50 per category, 250 roles, 1,000 active
threads, 100 chat-input commands). Each raises Discord's error: 400 50035 with an `errors`
tree naming the field, or the documented code (30005, 30013, 30032, 160006).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator.errors import ApiError, FieldPath, form_errors, invalid_form

Path = tuple[str | int, ...]
EMBED_TOTAL = 6000
COMMAND_SIZE = 4000
CHAT_INPUT_COMMANDS = 100
GUILD_CHANNELS = 500
CATEGORY_CHANNELS = 50
GUILD_ROLES = 250
ACTIVE_THREADS = 1000
TOPIC, FORUM_TOPIC = 1024, 4096
COMPONENTS_V2 = 1 << 15
ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT, LABEL = 1, 2, 3, 4, 18
SELECTS = frozenset({3, 5, 6, 7, 8})
LINK, PREMIUM = 5, 6
_FORUM_TYPES = frozenset({15, 16})
_CHAT_INPUT, _SUBCOMMAND, _GROUP = 1, 1, 2


# --- messages ---------------------------------------------------------------------------------


def check_message(body: dict[str, Any], prefix: Path = ()) -> None:
    """The 6,000-character embed total and the component rules of one message body."""
    problems: list[tuple[FieldPath, str, str]] = []
    embeds = body.get("embeds") or []
    if sum(_embed_size(e) for e in embeds if isinstance(e, dict)) > EMBED_TOTAL:
        message = f"Embed size exceeds maximum size of {EMBED_TOTAL}"
        problems.append(((*prefix, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", message))
    flags = int(body.get("flags") or 0)
    problems += component_problems(body.get("components") or [], flags, (*prefix, "components"))
    if problems:
        raise form_errors(problems)


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def component_problems(
    components: list[dict[str, Any]], flags: int, where: Path
) -> list[tuple[FieldPath, str, str]]:
    problems: list[tuple[FieldPath, str, str]] = []
    if not flags & COMPONENTS_V2:
        if len(components) > 5:
            problems.append((where, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
        for index, row in enumerate(components):
            if row.get("type") == ACTION_ROW:
                problems += _row_width(row.get("components") or [], (*where, index, "components"))
    seen: set[str] = set()
    for path, component in _walk(components, where):
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in seen:
                problems.append(
                    (
                        (*path, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            seen.add(custom_id)
        if component.get("type") == BUTTON:
            problems += _button(component, path)
        elif component.get("type") == STRING_SELECT:
            problems += _string_select(component, path)
    return problems


def _walk(components: list[dict[str, Any]], where: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every component with its path (rows, containers, sections, labels), depth first."""
    for index, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        path = (*where, index)
        yield path, component
        yield from _walk(component.get("components") or [], (*path, "components"))
        for key in ("component", "accessory"):
            child = component.get(key)
            if isinstance(child, dict):
                yield (*path, key), child
                yield from _walk(child.get("components") or [], (*path, key, "components"))


def _row_width(items: list[dict[str, Any]], where: Path) -> list[tuple[FieldPath, str, str]]:
    # A button is one unit wide; a select or a text input takes the whole row (five).
    problems: list[tuple[FieldPath, str, str]] = []
    width = 0
    for index, item in enumerate(items):
        wide = item.get("type") in SELECTS or item.get("type") == TEXT_INPUT
        width += 5 if wide else 1
        if width > 5:
            message = "The specified component exceeds the maximum width"
            problems.append(((*where, index), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", message))
    return problems


def _button(button: dict[str, Any], path: Path) -> list[tuple[FieldPath, str, str]]:
    style = button.get("style")
    problems: list[tuple[FieldPath, str, str]] = []
    if style == LINK:
        if not button.get("url"):
            problems.append(((*path, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A url is required"))
        if button.get("custom_id") is not None:
            message = "A custom id cannot be used with a link button"
            problems.append(((*path, "custom_id"), "BUTTON_COMPONENT_LINK_HAS_CUSTOM_ID", message))
    elif style != PREMIUM:
        if not button.get("custom_id"):
            message = "A custom id is required"
            problems.append(((*path, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", message))
        if button.get("url") is not None:
            message = "A url can only be used with a link button"
            problems.append(((*path, "url"), "BUTTON_COMPONENT_URL_NOT_ALLOWED", message))
    return problems


def _string_select(select: dict[str, Any], path: Path) -> list[tuple[FieldPath, str, str]]:
    options = [o for o in select.get("options") or [] if isinstance(o, dict)]
    problems: list[tuple[FieldPath, str, str]] = []
    low, high = select.get("min_values"), select.get("max_values")
    if isinstance(high, int) and high > len(options):
        message = f"int value should be less than or equal to {len(options)}."
        problems.append(((*path, "max_values"), "NUMBER_TYPE_MAX", message))
    if isinstance(low, int) and low > min(len(options), high if isinstance(high, int) else 1):
        bound = min(len(options), high if isinstance(high, int) else 1)
        message = f"int value should be less than or equal to {bound}."
        problems.append(((*path, "min_values"), "NUMBER_TYPE_MAX", message))
    values: set[str] = set()
    for index, option in enumerate(options):
        value = option.get("value")
        if value in values:
            problems.append(
                (
                    (*path, "options", index, "value"),
                    "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                    "Select option values must be unique",
                )
            )
        values.add(value)
    return problems


# --- modals and autocomplete -------------------------------------------------------------------


def check_modal(data: dict[str, Any]) -> None:
    """A modal (callback type 9): at most 5 rows, each row a single text input with a label,
    min_length <= max_length, a pre-filled value within them, custom ids unique."""
    problems: list[tuple[FieldPath, str, str]] = []
    components = data.get("components") or []
    where: Path = ("data", "components")
    if len(components) > 5:
        problems.append((where, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
    for index, row in enumerate(components):
        if row.get("type") == ACTION_ROW:
            items = row.get("components") or []
            if len(items) > 1:
                problems += _row_width(items, (*where, index, "components"))
            for position, item in enumerate(items):
                path = (*where, index, "components", position)
                if item.get("type") == TEXT_INPUT and not item.get("label"):
                    problems.append(
                        ((*path, "label"), "BASE_TYPE_REQUIRED", "This field is required")
                    )
    seen: set[str] = set()
    for path, component in _walk(components, where):
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in seen:
                message = "Component custom id cannot be duplicated"
                problems.append(((*path, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", message))
            seen.add(custom_id)
        if component.get("type") == TEXT_INPUT:
            problems += _text_input(component, path)
        elif component.get("type") == STRING_SELECT:
            problems += _string_select(component, path)
    if problems:
        raise form_errors(problems)


def _text_input(item: dict[str, Any], path: Path) -> list[tuple[FieldPath, str, str]]:
    low = item.get("min_length")
    high = item.get("max_length")
    low = low if isinstance(low, int) else 0
    high = high if isinstance(high, int) else 4000
    problems: list[tuple[FieldPath, str, str]] = []
    if low > high:
        message = f"int value should be less than or equal to {high}."
        problems.append(((*path, "min_length"), "NUMBER_TYPE_MAX", message))
    value = item.get("value")
    if isinstance(value, str) and value and not low <= len(value) <= high:
        message = f"Must be between {low} and {high} in length."
        problems.append(((*path, "value"), "BASE_TYPE_BAD_LENGTH", message))
    return problems


# --- application commands ------------------------------------------------------------------------


def command_size(command: dict[str, Any]) -> int:
    """Characters counted toward Discord's 4,000 per command: the name, description and
    choice values of the command, its options, subcommands and groups, recursively."""
    size = len(str(command.get("name") or "")) + len(str(command.get("description") or ""))
    for choice in command.get("choices") or []:
        size += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    for option in command.get("options") or []:
        size += command_size(option)
    return size


def check_command_size(command: dict[str, Any], prefix: Path = ()) -> None:
    if command_size(command) > COMMAND_SIZE:
        message = f"Command exceeds maximum size ({COMMAND_SIZE})"
        raise invalid_form(message, prefix, code="APPLICATION_COMMAND_TOO_LARGE")


def check_command_count(commands: list[dict[str, Any]]) -> None:
    """A bulk overwrite holds at most 100 chat-input commands."""
    chat_input = [c for c in commands if int(c.get("type") or _CHAT_INPUT) == _CHAT_INPUT]
    if len(chat_input) > CHAT_INPUT_COMMANDS:
        message = f"Must be {CHAT_INPUT_COMMANDS} or fewer chat input commands."
        raise invalid_form(message, "", code="BASE_TYPE_MAX_LENGTH")


def too_many_commands() -> ApiError:
    return ApiError(
        400, 30032, f"Maximum number of application commands reached ({CHAT_INPUT_COMMANDS})"
    )


def option_problems(
    options: list[dict[str, Any]], where: Path, depth: int = 0
) -> list[tuple[FieldPath, str, str]]:
    """Option names valid and unique, required ones first, groups holding only subcommands
    and subcommands only values (lengths and counts are the spec's)."""
    problems: list[tuple[FieldPath, str, str]] = []
    names: set[str] = set()
    seen_optional = False
    for index, option in enumerate(options):
        path = (*where, index)
        name = str(option.get("name") or "")
        if not valid_name(name):
            problems.append(
                ((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            )
        if name in names:
            message = "Option names must be unique"
            problems.append(
                ((*path, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", message)
            )
        names.add(name)
        kind = int(option.get("type") or 0)
        children = option.get("options") or []
        if kind == _GROUP:
            if depth > 0 or any(int(c.get("type") or 0) != _SUBCOMMAND for c in children):
                message = "A subcommand group holds only subcommands"
                problems.append(
                    ((*path, "options"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", message)
                )
            problems += option_problems(children, (*path, "options"), depth + 1)
        elif kind == _SUBCOMMAND:
            if depth > 1 or any(int(c.get("type") or 0) in (_SUBCOMMAND, _GROUP) for c in children):
                message = "A subcommand holds only values"
                problems.append(
                    ((*path, "options"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", message)
                )
            problems += option_problems(children, (*path, "options"), depth + 1)
        elif option.get("required"):
            if seen_optional:
                message = "Required options must be placed before non-required options"
                problems.append(
                    ((*path, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", message)
                )
        else:
            seen_optional = True
    return problems


def valid_name(name: str) -> bool:
    """Docs: 1-32 characters of ^[-_'\\p{L}\\p{N}...]+$, lowercase where a lowercase exists."""
    return (
        1 <= len(name) <= 32
        and all(c.isalnum() or c in "-_'" for c in name)
        and name == name.lower()
    )


# --- server caps ----------------------------------------------------------------------------------


def check_room_for_channel(channel_count: int, category_count: int | None) -> None:
    """500 channels (categories included, threads not) per server; 50 in a category."""
    if channel_count >= GUILD_CHANNELS:
        raise ApiError(400, 30013, f"Maximum number of guild channels reached ({GUILD_CHANNELS})")
    if category_count is not None and category_count >= CATEGORY_CHANNELS:
        raise invalid_form(
            f"Maximum number of channels in category reached ({CATEGORY_CHANNELS})",
            "parent_id",
            code="CHANNEL_PARENT_MAX_CHANNELS",
        )


def check_room_for_role(role_count: int) -> None:
    """250 roles per server (@everyone not counted)."""
    if role_count >= GUILD_ROLES:
        raise ApiError(400, 30005, f"Maximum number of guild roles reached ({GUILD_ROLES})")


def check_room_for_thread(active_threads: int) -> None:
    """1,000 active (unarchived) threads per server; threads don't count toward 500."""
    if active_threads >= ACTIVE_THREADS:
        raise ApiError(400, 160006, "Maximum number of active threads reached")


def check_topic(channel_type: int, topic: Any) -> None:
    """A text channel's topic is 1,024 characters; a forum's or media channel's 4,096."""
    limit = FORUM_TOPIC if channel_type in _FORUM_TYPES else TOPIC
    if isinstance(topic, str) and len(topic) > limit:
        raise invalid_form(
            f"Must be {limit} or fewer in length.", "topic", code="BASE_TYPE_MAX_LENGTH"
        )
