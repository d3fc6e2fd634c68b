"""Request bodies checked against Discord's own OpenAPI description, as Discord checks them.

`spec/openapi.json` is Discord's OpenAPI 3.1 description (github.com/discord/discord-api-spec,
MIT, see spec/LICENSE; vendored at commit 74fda0fa). `check_body(method, route, body)`
validates a JSON body (or a multipart body's `payload_json`) against the schema of its
operation and raises Discord's 400 50035 Invalid Form Body with an `errors` tree naming
every failing field: {"embeds": {"0": {"title": {"_errors": [{"code":
"BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]}}}}.

The spec is loaded once per process, on the first request that has a body, and adjusted in
memory (`_ADJUSTMENTS`): loosened where Discord accepts what the spec refuses (discord.py
sends ids as integers and permissions as strings), tightened where the spec is laxer than
Discord's documented limits. Unions discriminated by a field (`type`, `entity_type`) are
rewritten to validate only the branch that field selects: errors then name the real field,
and a request costs one branch, not all of them. Validators are built once per operation.
What the spec cannot say (sums, cross-field rules, server state) is in `limits.py`.
"""

from __future__ import annotations

import functools
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from emulator.errors import FieldPath, form_errors

SPEC = Path(__file__).with_name("spec") / "openapi.json"
_PLACEHOLDER = re.compile(r"\{[^}]+\}")
_UNION = "x-emulator-union"
_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_DIGITS = {"type": "string", "pattern": "^[0-9]+$"}
_SEEN_VALID_MAX = 256
_seen_valid: OrderedDict[str, None] = OrderedDict()


def _snowflake(schemas: dict[str, Any], _: dict[str, Any]) -> None:
    # discord.py sends ids as JSON integers (allowed_mentions, message_reference, overwrites,
    # attachment ids); Discord accepts them. The spec only allows strings.
    schemas["SnowflakeType"] = {
        "type": ["string", "integer"],
        "pattern": "^(0|[1-9][0-9]*)$",
        "minimum": 0,
    }


def _bitfield_strings(schemas: dict[str, Any], paths: dict[str, Any]) -> None:
    # Permission bitfields are strings in Discord's docs and discord.py sends strings
    # (role permissions, overwrite allow/deny, default_member_permissions); the spec says
    # integer only. Accept both.
    names = {"permissions", "allow", "deny", "default_member_permissions"}
    for schema in _walk([schemas, paths]):
        for name, prop in (schema.get("properties") or {}).items():
            if name in names and "integer" in _types(prop):
                schema["properties"][name] = {"anyOf": [prop, _DIGITS]}


def _bot_message_content(schemas: dict[str, Any], _: dict[str, Any]) -> None:
    # 4000 is the limit for people with Nitro; a bot's message content is 2000.
    for name in (
        "MessageCreateRequest",
        "MessageEditRequestPartial",
        "BaseCreateMessageCreateRequest",
    ):
        schemas[name]["properties"]["content"]["maxLength"] = 2000


def _embed_fields_not_empty(schemas: dict[str, Any], _: dict[str, Any]) -> None:
    # Discord refuses an empty field name or value ("This field is required").
    for key in ("name", "value"):
        schemas["RichEmbedField"]["properties"][key]["minLength"] = 1


def _string_choice_value(schemas: dict[str, Any], _: dict[str, Any]) -> None:
    # Docs: a string choice's value is up to 100 characters (commands and autocomplete);
    # the spec says 6000.
    schemas["ApplicationCommandOptionStringChoice"]["properties"]["value"]["maxLength"] = 100


def _names_not_empty(schemas: dict[str, Any], _: dict[str, Any]) -> None:
    # Docs: a thread's name is 1-100 characters and an event's 1-100; the spec allows "".
    schemas["UpdateThreadRequestPartial"]["properties"]["name"]["minLength"] = 1
    for kind in ("External", "Stage", "Voice"):
        for suffix in ("CreateRequest", "PatchRequestPartial"):
            schemas[f"{kind}ScheduledEvent{suffix}"]["properties"]["name"]["minLength"] = 1


_ADJUSTMENTS: tuple[Callable[[dict[str, Any], dict[str, Any]], None], ...] = (
    _snowflake,
    _bitfield_strings,
    _bot_message_content,
    _embed_fields_not_empty,
    _string_choice_value,
    _names_not_empty,
)


def _types(schema: Any) -> list[str]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return [kind] if isinstance(kind, str) else list(kind or [])


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict (schema) under `node`, parents before children."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/components/schemas/"):
        return schema
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _discriminate(document: dict[str, Any], node: dict[str, Any]) -> None:
    """Rewrite a oneOf/anyOf union in place when a required enum field picks the branch."""
    key = "oneOf" if "oneOf" in node else "anyOf"
    branches = node.get(key)
    if not isinstance(branches, list):
        return
    if all(isinstance(b, dict) and "const" in b for b in branches):
        # Discord's enums are oneOf lists of documented consts: one `enum` checks the same.
        del node[key]
        node["enum"] = [b["const"] for b in branches]
        return
    nullable = {"type": "null"} in branches
    rest = [b for b in branches if b != {"type": "null"}]
    if nullable and len(rest) == 1:
        del node[key]
        node.pop("x-discord-union", None)
        node.update({"if": {"type": "null"}, "else": rest[0]})
        return
    resolved = [_resolve(document, b) for b in rest]
    if len(rest) < 2 or not all(isinstance(r.get("properties"), dict) for r in resolved):
        return
    for field in resolved[0].get("required") or []:
        mapping: dict[Any, dict[str, Any]] = {}
        for branch, target in zip(rest, resolved, strict=True):
            enum = (target["properties"].get(field) or {}).get("enum")
            if field not in (target.get("required") or []) or not enum:
                break
            if any(value in mapping for value in enum):
                break
            mapping.update({value: branch for value in enum})
        else:
            del node[key]
            node.pop("x-discord-union", None)
            node[_UNION] = {"field": field, "branches": mapping, "nullable": nullable}
            return


def _union(
    validator: Any, spec: dict[str, Any], instance: Any, _: Any
) -> Iterator[ValidationError]:
    if instance is None and spec["nullable"]:
        return
    if not isinstance(instance, dict):
        yield ValidationError(f"{instance!r} is not of type 'object'", validator="type")
        return
    field = spec["field"]
    if field not in instance:
        yield ValidationError(f"{field!r} is a required property", validator="required")
        return
    value = instance[field]
    branch = None if isinstance(value, bool) else spec["branches"].get(value)
    if branch is None:
        yield ValidationError(
            f"{value!r} is not one of {sorted(spec['branches'])}",
            validator="enum",
            validator_value=sorted(spec["branches"]),
            path=[field],
        )
        return
    yield from validator.descend(instance, branch)


_Validator = validators.extend(Draft202012Validator, {_UNION: _union})


@functools.cache
def _document() -> dict[str, Any]:
    """The spec, loaded once per process, adjusted and with its unions discriminated."""
    document = json.loads(SPEC.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    for adjust in _ADJUSTMENTS:
        adjust(schemas, document["paths"])
    for node in list(_walk({"paths": document["paths"], "components": document["components"]})):
        if "oneOf" in node or "anyOf" in node:
            _discriminate(document, node)
    return document


@functools.cache
def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path with {} placeholders) -> that operation's JSON body schema."""
    found = {}
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue  # the path's "parameters"
            content = (operation.get("requestBody") or {}).get("content") or {}
            if "application/json" in content:
                key = (method.upper(), _PLACEHOLDER.sub("{}", path))
                found[key] = content["application/json"]["schema"]
    return found


@functools.cache
def _validator(method: str, route: str, schema_name: str | None) -> Any:
    document = _document()
    if schema_name is not None:
        schema: dict[str, Any] | None = {"$ref": f"#/components/schemas/{schema_name}"}
    else:
        schema = _operations().get((method, _PLACEHOLDER.sub("{}", route)))
    if schema is None:
        return None
    return _Validator({**schema, "components": document["components"]})


def check_body(method: str, route: str, body: Any, *, schema: str | None = None) -> None:
    """400 50035 if `body` breaks the spec's schema for the operation (or `schema`, a named
    component, when the route knows which branch of a union applies)."""
    validator = _validator(method, route, schema)
    if validator is None:
        return
    # tree.sync() sends the same ~30 ms command list at every start: remember valid bodies.
    key = f"{method} {route} {schema}\n{json.dumps(body, sort_keys=True)}"
    if key in _seen_valid:
        _seen_valid.move_to_end(key)
        return
    if validator.is_valid(body):
        _seen_valid[key] = None
        if len(_seen_valid) > _SEEN_VALID_MAX:
            _seen_valid.popitem(last=False)
        return
    problems = [_problem(leaf) for error in validator.iter_errors(body) for leaf in _leaves(error)]
    raise form_errors(problems)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors worth reporting: inside a failed union, those of the branch that matched
    furthest into the body (the one the sender meant)."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    best = max(
        by_branch.values(),
        key=lambda errs: (
            max(len(e.absolute_path) for e in errs),
            -sum(e.validator == "type" for e in errs),  # a type mismatch: not the one meant
            -len(errs),
        ),
    )
    for sub in best:
        yield from _leaves(sub)


def _problem(error: ValidationError) -> tuple[FieldPath, str, str]:
    path: tuple[str | int, ...] = tuple(error.absolute_path)
    kind, schema, value = error.validator, error.schema, error.validator_value
    schema = schema if isinstance(schema, dict) else {}
    if kind == "required":
        match = _REQUIRED.match(error.message)
        return (
            (*path, match.group(1) if match else "?"),
            "BASE_TYPE_REQUIRED",
            "This field is required",
        )
    if kind in ("maxLength", "minLength", "maxItems", "minItems"):
        return (path, *_length(error, schema))
    if kind == "maximum":
        return path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {value}."
    if kind == "minimum":
        return path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {value}."
    if kind in ("enum", "const"):
        choices = value if isinstance(value, list) else [value]
        return path, "BASE_TYPE_CHOICES", f"Value must be one of {set(choices)}."
    if kind == "type":
        return path, *_type_error(error.instance, value)
    if kind == "pattern":
        return path, "STRING_TYPE_REGEX", "String value did not match validation regex."
    return path, "BASE_TYPE_INVALID", error.message


def _length(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    items = error.validator in ("maxItems", "minItems")
    low = schema.get("minItems" if items else "minLength", 0)
    high = schema.get("maxItems" if items else "maxLength")
    if error.validator in ("minLength", "minItems") and not error.instance and low == 1:
        return "BASE_TYPE_REQUIRED", "This field is required"
    if low and high is not None:
        return "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
    if error.validator in ("maxLength", "maxItems"):
        return "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length."
    return "BASE_TYPE_MIN_LENGTH", f"Must be {low} or more in length."


def _type_error(instance: Any, expected: Any) -> tuple[str, str]:
    wanted = [expected] if isinstance(expected, str) else list(expected or [])
    if "object" in wanted:
        return "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"
    if "array" in wanted:
        return "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"
    if "integer" in wanted or "number" in wanted:
        return "NUMBER_TYPE_COERCE", f'Value "{instance}" is not int.'
    if "boolean" in wanted:
        return "BOOLEAN_TYPE_COERCE", f'Value "{instance}" is not bool.'
    return "BASE_TYPE_STRING", "Could not interpret value as string."
