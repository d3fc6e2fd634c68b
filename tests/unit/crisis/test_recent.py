"""The per-person window of recent messages the detector reads as context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cogs.crisis import recent
from cogs.crisis.recent import RecentMessages

T0 = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)


def test_keeps_the_last_few_within_the_window_oldest_first() -> None:
    seen = RecentMessages()
    for i in range(6):
        seen.add(1, 10, T0 + timedelta(minutes=i), f"message {i}", i)
    assert seen.context(1, 10, T0 + timedelta(minutes=6)) == [
        f"message {i}" for i in range(2, 6)
    ]  # at most KEEP
    assert seen.context(1, 10, T0 + timedelta(minutes=19)) == ["message 4", "message 5"]
    later = T0 + timedelta(minutes=5) + recent.WINDOW + timedelta(seconds=1)
    assert seen.context(1, 10, later) == []


def test_people_and_servers_are_apart() -> None:
    seen = RecentMessages()
    seen.add(1, 10, T0, "mine", 1)
    seen.add(2, 10, T0, "other server", 2)
    seen.add(1, 11, T0, "someone else", 3)
    assert seen.context(1, 10, T0) == ["mine"]
    assert seen.context(3, 10, T0) == []


def test_an_edit_replaces_and_drop_forgets() -> None:
    seen = RecentMessages()
    seen.add(1, 10, T0, "first", 1)
    seen.add(1, 10, T0, "second", 2)
    seen.add(1, 10, T0, "first, edited", 1)
    assert seen.context(1, 10, T0) == ["first, edited", "second"]
    seen.drop(1, 10, message_id=1)
    assert seen.context(1, 10, T0) == ["second"]
    seen.drop(1, 10)
    assert seen.context(1, 10, T0) == [] and len(seen) == 0


def test_bounded_in_characters_and_people(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = RecentMessages()
    seen.add(1, 10, T0, "a" * 1000, 1)
    seen.add(1, 10, T0, "b" * 1000, 2)
    assert seen.context(1, 10, T0) == ["b" * 1000]  # the newest that fit MAX_CHARS
    monkeypatch.setattr(recent, "MAX_PEOPLE", 3)
    for user in range(5):
        seen.add(9, user, T0, "hi", None)
    assert len(seen) == 3
    assert seen.context(9, 4, T0) == ["hi"] and seen.context(9, 0, T0) == []
