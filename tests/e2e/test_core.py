"""The foundation end-to-end: error handler, command sync, restarts, shutdown."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from bot.cli.serve import run_until_stopped
from bot.client import LanternBot, discover_extensions
from bot.storage.database import DatabaseClosedError
from emulator import Emulator, wiring
from tests.e2e.harness import Clinic, ExpectingErrorLogWatch, Harness
from tests.e2e.steps.common import text

SYNC_ROUTE = "PUT /applications/{application_id}/commands"
GUILD_SYNC_ROUTE = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
FAULTY = ("tests.e2e.faulty_cog",)


async def test_unexpected_error_gives_an_incident_ref_and_logs_it(
    emu: Emulator, clinic: Clinic, harness: Harness, error_logs: ExpectingErrorLogWatch
) -> None:
    await harness.start(extra=FAULTY)
    res = await emu.invoke(clinic.bob, clinic.general, "boom")
    assert res.ephemeral
    match = re.search(r"ref \*\*([0-9A-Z]{5})\*\*", res.content)
    assert match, res.content
    assert "secret internals" not in res.content
    logged = error_logs.expect(f"incident {match.group(1)}")
    assert len(logged) == 1
    assert emu.visible_messages(clinic.alice, clinic.general) == []


async def test_error_after_defer_still_reaches_the_person(
    emu: Emulator, clinic: Clinic, harness: Harness, error_logs: ExpectingErrorLogWatch
) -> None:
    await harness.start(extra=FAULTY)
    res = await emu.invoke(clinic.bob, clinic.general, "slow-boom")
    assert res.ephemeral
    assert "Something went wrong on our side" in text(res)
    assert error_logs.expect("unexpected error")


async def test_commands_sync_once_then_skip_while_unchanged(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    bot = await harness.start()
    assert bot.commands_synced is True
    assert emu.count(SYNC_ROUTE) == 1
    assert {c.name for c in emu.commands()} >= {"setup"}

    bot = await harness.restart()
    assert bot.commands_synced is False
    assert emu.count(SYNC_ROUTE) == 1

    # A new command changes the tree, so the next start syncs again.
    bot = await harness.restart(extra=FAULTY)
    assert bot.commands_synced is True
    assert emu.count(SYNC_ROUTE) == 2
    assert "boom" in {c.name for c in emu.commands()}


async def test_dev_guild_syncs_to_that_server_only(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    await harness.start(dev_guild_id=clinic.guild.id)
    assert emu.count(GUILD_SYNC_ROUTE) == 1
    assert emu.count(SYNC_ROUTE) == 0
    assert "setup" in {c.name for c in emu.commands(clinic.guild)}


async def test_configuration_survives_a_restart(
    emu: Emulator, clinic: Clinic, harness: Harness
) -> None:
    await harness.start()
    await emu.invoke(clinic.dana, clinic.general, "setup server", timezone="America/Denver")
    await harness.restart()
    res = await emu.invoke(clinic.dana, clinic.general, "setup show")
    assert "America/Denver" in text(res)


async def test_gateway_resume_keeps_commands_working(
    emu: Emulator, clinic: Clinic, lantern: LanternBot
) -> None:
    identifies = emu.gateway.stats.identifies
    await emu.faults.drop_connection()
    await emu.wait_for(lambda: emu.gateway.stats.resumes >= 1, timeout=5)
    res = await emu.invoke(clinic.dana, clinic.general, "setup check")
    assert "Not configured yet" in text(res)
    assert emu.gateway.stats.identifies == identifies


async def test_sigterm_style_stop_closes_cleanly(
    emu: Emulator, clinic: Clinic, harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """`run_until_stopped` (what `python -m bot run` uses) exits 0 and closes the database."""
    bot = LanternBot(harness.settings(), extensions=discover_extensions(), guild_ready_timeout=0.05)
    stop = asyncio.Event()
    with wiring.pointed_at(emu), caplog.at_level(logging.INFO, "bot"):
        running = asyncio.create_task(run_until_stopped(bot, emu.bot_token, stop=stop))
        await emu.wait_for(bot.is_ready, timeout=5)
        # A write in flight when the stop arrives still completes.
        write = asyncio.create_task(bot.app_state.set("probe", "1", bot.clock.now()))
        stop.set()
        code = await asyncio.wait_for(running, timeout=5)
        await write
    assert code == 0
    assert bot.is_closed()
    assert not bot.scheduler.running
    assert bot.db.closed
    reopened = await harness.start()
    assert await reopened.app_state.get("probe") == "1"


async def test_an_event_that_races_shutdown_is_dropped_quietly_but_other_errors_are_logged(
    lantern: LanternBot, error_logs: ExpectingErrorLogWatch
) -> None:
    # A message handled while the bot closes: its database is already closed.
    try:
        raise DatabaseClosedError("the database is closed")
    except DatabaseClosedError:
        await lantern.on_error("on_message")
    try:
        raise RuntimeError("a real bug")
    except RuntimeError:
        await lantern.on_error("on_message")
    assert len(error_logs.expect("Ignoring exception in on_message")) == 1


async def test_a_handler_failing_after_the_connection_closed_is_a_warning(
    harness: Harness, error_logs: ExpectingErrorLogWatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await harness.start()
    await harness.stop()
    try:
        raise RuntimeError("Session is closed")  # aiohttp's, editing a message at shutdown
    except RuntimeError:
        await bot.on_error("on_message")
    assert not error_logs.records
    assert any(r.getMessage() == "event dropped at shutdown" for r in caplog.records)
