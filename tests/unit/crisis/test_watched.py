"""Watched channels: a message that arrives while the list is being reloaded (a cohort was
just created) waits for the reload instead of being judged against the old list."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cogs.crisis import watched as watched_module
from cogs.crisis.watched import WatchedChannels


async def test_a_lookup_during_a_reload_sees_the_new_channel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lists = [[(1, 10)], [(1, 10), (1, 20)]]  # before and after the new cohort's channels
    reading, release = asyncio.Event(), asyncio.Event()

    async def slow_list(db: Any) -> list[tuple[int, int]]:
        current = lists.pop(0)
        if not lists:  # the second read: the reload after the cohort was created
            reading.set()
            await release.wait()
        return current

    monkeypatch.setattr(watched_module, "watched_channels", slow_list)
    channels = WatchedChannels(db=None)  # type: ignore[arg-type]
    await channels.reload()
    reload = asyncio.create_task(channels.reload())
    await reading.wait()
    lookup = asyncio.create_task(channels.contains(1, 20))
    await asyncio.sleep(0)
    assert not lookup.done()  # waiting for the reload, not answering from the old list
    release.set()
    assert await lookup is True
    await reload
    assert await channels.contains(1, 10) and not await channels.contains(1, 30)
