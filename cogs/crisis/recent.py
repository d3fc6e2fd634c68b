"""Each person's last few messages, in memory, so the detector can read them together.

Goodbyes and plans are often spread over several short messages ("gave my guitar to my
brother" ... "where im going i wont need it"); each alone reads as nothing. ``RecentMessages``
keeps, per person and server, up to ``KEEP`` messages of the last ``WINDOW``, and only those
that did not already raise a crisis alert (that one is handled; reading it again would alert
twice). Nothing is written anywhere: the texts live in memory for at most ``WINDOW``, are
dropped when the person's data is deleted, and the whole store is bounded (``MAX_PEOPLE``).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["KEEP", "MAX_PEOPLE", "WINDOW", "RecentMessages"]

WINDOW = timedelta(minutes=15)
KEEP = 4
MAX_CHARS = 1_500  # of earlier text passed as context
MAX_PEOPLE = 5_000


@dataclass(slots=True)
class _Seen:
    at: datetime
    message_id: int | None
    text: str


class RecentMessages:
    """Per (guild, person): their recent messages below crisis level, oldest first."""

    def __init__(self, window: timedelta = WINDOW, keep: int = KEEP) -> None:
        self.window = window
        self.keep = keep
        self._people: OrderedDict[tuple[int, int], deque[_Seen]] = OrderedDict()

    def context(self, guild_id: int, user_id: int, now: datetime) -> list[str]:
        """The person's earlier messages within the window (oldest first, at most
        ``MAX_CHARS`` in all, newest kept)."""
        seen = self._people.get((guild_id, user_id))
        if not seen:
            return []
        while seen and seen[0].at < now - self.window:
            seen.popleft()
        texts: list[str] = []
        size = 0
        for item in reversed(seen):
            size += len(item.text)
            if size > MAX_CHARS:
                break
            texts.append(item.text)
        return texts[::-1]

    def add(
        self, guild_id: int, user_id: int, at: datetime, text: str, message_id: int | None
    ) -> None:
        """Remember a message that did not raise a crisis (an edit replaces its text)."""
        key = (guild_id, user_id)
        seen = self._people.get(key)
        if seen is None:
            seen = self._people[key] = deque(maxlen=self.keep)
            if len(self._people) > MAX_PEOPLE:
                self._people.popitem(last=False)
        else:
            self._people.move_to_end(key)
        for item in seen:
            if message_id is not None and item.message_id == message_id:
                item.text = text
                return
        seen.append(_Seen(at, message_id, text))

    def drop(self, guild_id: int, user_id: int, message_id: int | None = None) -> None:
        """Forget one message (it raised a crisis, or was deleted), or all of a person's."""
        key = (guild_id, user_id)
        if message_id is None:
            self._people.pop(key, None)
            return
        seen = self._people.get(key)
        if seen:
            kept = [item for item in seen if item.message_id != message_id]
            seen.clear()
            seen.extend(kept)

    def __len__(self) -> int:
        return len(self._people)
