"""What the outbox hands a feature's handler (`Item`), what the handler answers (`Landed`),
and the handler's type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    guild_id: int | None
    subject_id: int
    payload: dict[str, Any]
    attempts: int
    """Failed attempts so far."""
    created_at: datetime

    def nonce(self, step: str = "") -> str:
        """A nonce for one message this item posts (Discord allows 25 characters)."""
        return f"L{self.id}{step}"[:25]


@dataclass(frozen=True)
class Landed:
    """Where an item went: `where` is a word for people ("escalation", "log", "dm"...)."""

    where: str
    channel_id: int | None = None
    message_id: int | None = None


Handler = Callable[[Item], Awaitable[Landed | None]]
"""Delivers one item; returns where it landed, or None when it no longer needs sending
(the alert was acknowledged meanwhile, the prompt expired)."""
