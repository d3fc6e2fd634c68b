"""Errors: the API errors Discord answers with, and the driver's misuse errors.

`ApiError` is raised inside REST handlers and becomes a JSON error response with Discord's
status, code and message. `DriverError` (and its children) is raised at a test that asks an
emulated person to do something Discord would not let them do.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(
        self, status: int, code: int, message: str, errors: Any = None, detail: str = ""
    ) -> None:
        super().__init__(f"{status} {code} {message}" + (f" ({detail})" if detail else ""))
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.detail = detail
        """Why, in words, for the request log and test failures (never sent to the bot)."""

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def missing_permissions(detail: str = "") -> ApiError:
    return ApiError(403, 50013, "Missing Permissions", detail=detail)


def missing_access(detail: str = "") -> ApiError:
    return ApiError(403, 50001, "Missing Access", detail=detail)


def cannot_dm() -> ApiError:
    return ApiError(403, 50007, "Cannot send messages to this user")


def unknown(kind: str) -> ApiError:
    codes = {
        "channel": 10003,
        "guild": 10004,
        "member": 10007,
        "message": 10008,
        "role": 10011,
        "user": 10013,
        "webhook": 10015,
        "command": 10063,
        "interaction": 10062,
        "event": 10070,
    }
    return ApiError(404, codes[kind], f"Unknown {kind.title()}")


FieldPath = str | tuple[str | int, ...]
"""Where an error is: "embeds.0.title" or ("embeds", 0, "title"); "" is the body itself."""


def error_tree(problems: list[tuple[FieldPath, str, str]]) -> dict[str, Any]:
    """Discord's nested `errors` object: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    tree: dict[str, Any] = {}
    for path, code, message in problems:
        node = tree
        for key in _keys(path):
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return tree


def _keys(path: FieldPath) -> list[str]:
    if isinstance(path, tuple):
        return [str(k) for k in path]
    return path.split(".") if path else []


def invalid_form(
    message: str, field: FieldPath = "", *, code: str = "BASE_TYPE_INVALID"
) -> ApiError:
    """400 50035 naming one field (a dotted path or a tuple nests, as Discord's tree does)."""
    return form_errors([(field, code, message)])


def form_errors(problems: list[tuple[FieldPath, str, str]]) -> ApiError:
    """400 50035 Invalid Form Body listing every problem found in the body."""
    detail = "; ".join(
        f"{'.'.join(_keys(path)) or 'body'}: {message}" for path, _, message in problems
    )
    return ApiError(400, 50035, "Invalid Form Body", error_tree(problems), detail=detail)


def already_acknowledged() -> ApiError:
    return ApiError(400, 40060, "Interaction has already been acknowledged")


def invalid_webhook_token() -> ApiError:
    return ApiError(401, 50027, "Invalid Webhook Token")


class DriverError(Exception):
    """A test asked the emulator for something Discord would not allow or does not have."""


class NotVisible(DriverError):
    """The emulated person cannot see that channel or message (same maths as the bot's)."""


class NotAllowed(DriverError):
    """The emulated person lacks the permission for the action."""


class BotDidNotRespond(DriverError, TimeoutError):
    """The bot did not answer an interaction (or did not finish it) in time."""
