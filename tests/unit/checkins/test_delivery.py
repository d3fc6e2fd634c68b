"""The bounded prompt queue: everything once, bounded, paced, failures contained."""

from __future__ import annotations

import asyncio
import time

import pytest

from cogs.checkins.delivery import Pacer, PromptQueue


async def test_every_prompt_is_sent_once_with_bounded_workers_and_queue() -> None:
    sent: list[int] = []
    running = 0
    most = 0

    async def send(prompt_id: int) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0)
        sent.append(prompt_id)
        running -= 1

    queue = PromptQueue(send, workers=4, maxsize=10, rate=1e6)
    await asyncio.gather(*(queue.put(i) for i in range(100)))
    await queue.idle()
    assert sorted(sent) == list(range(100))
    assert most <= 4 and queue.peak <= 10


async def test_a_prompt_already_waiting_is_not_queued_twice() -> None:
    sent: list[int] = []

    async def send(prompt_id: int) -> None:
        sent.append(prompt_id)

    queue = PromptQueue(send, workers=1, rate=1e6)
    await queue.put(7)
    await queue.put(7)  # e.g. the restart's resume and a late job at once
    await queue.idle()
    assert sent == [7]


async def test_a_failing_send_is_logged_and_the_rest_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent: list[int] = []

    async def send(prompt_id: int) -> None:
        if prompt_id == 2:
            raise RuntimeError("boom")
        sent.append(prompt_id)

    queue = PromptQueue(send, workers=2, rate=1e6)
    for i in range(5):
        await queue.put(i)
    await queue.idle()
    assert sorted(sent) == [0, 1, 3, 4]
    assert "could not deliver" in caplog.text


async def test_pacer_spaces_calls() -> None:
    pacer = Pacer(rate=200.0)
    start = time.monotonic()
    for _ in range(21):
        await pacer.wait()
    assert time.monotonic() - start >= 20 / 200.0 * 0.95


async def test_stop_leaves_queued_work_alone() -> None:
    release = asyncio.Event()
    sent: list[int] = []

    async def send(prompt_id: int) -> None:
        await release.wait()
        sent.append(prompt_id)

    queue = PromptQueue(send, workers=1, rate=1e6)
    for i in range(3):
        await queue.put(i)
    await asyncio.sleep(0)
    stopping = asyncio.create_task(queue.stop())
    await asyncio.sleep(0)
    release.set()
    await stopping
    assert sent == [0]  # the one in flight finished; the others wait for the restart
