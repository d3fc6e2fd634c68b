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


def invalid_form(message: str, field: str = "", *, code: str = "BASE_TYPE_INVALID") -> ApiError:
    errors = {field: {"_errors": [{"code": code, "message": message}]}}
    return ApiError(400, 50035, "Invalid Form Body", errors if field else None, detail=message)


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
