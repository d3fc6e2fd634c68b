"""Lantern as a real process: production start-up and shutdown, a crisis DM reaching the
facilitators, and a crash (kill -9) followed by a restart that posts nothing twice."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.model import Channel, Message
from tests.e2e.harness import Clinic
from tests.e2e.steps.common import button_ids, field, text
from tests.process.harness import BotExited, BotProcess, BotProcesses, LogLine, wait_db

CRISIS = "I am going to kill myself tonight, I have the pills ready"
WHILE_DOWN = "are you there? the pills are on the table, I am going to kill myself"
ALERT_POSTED = (
    "SELECT id FROM crisis_alerts WHERE user_id = ? AND alert_message_id IS NOT NULL "
    "AND thread_id IS NOT NULL"
)


def alerts(emu: Emulator, clinic: Clinic) -> list[Message]:
    """Alert messages (they have an embed) in the escalation channel."""
    return [m for m in emu.messages_in(clinic.escalations) if m.embeds]


async def wait_alerts(bot: BotProcess, emu: Emulator, clinic: Clinic, count: int = 1) -> Message:
    """The `count`-th alert, within 10 s; fails at once if the process dies meanwhile."""
    await bot.watch(
        emu.wait_for(
            lambda: len(alerts(emu, clinic)) >= count,
            timeout=10.0,
            what=f"{count} alert(s) in #escalations",
        )
    )
    return alerts(emu, clinic)[count - 1]


def alert_thread(emu: Emulator, number: int) -> Channel | None:
    return next(
        (c for c in emu.world.channels.values() if c.is_thread and c.name == f"Alert #{number}"),
        None,
    )


def first(bot: BotProcess, message: str) -> LogLine:
    found = bot.find(lambda line: line.message == message)
    assert found, f"no {message!r} record\n{bot.tail()}"
    return found[0]


async def test_run_logs_ready_as_json_and_sigterm_exits_0(
    emu: Emulator, clinic: Clinic, proc: BotProcesses, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = await proc.start()
    ready = first(bot, "ready")
    assert ready.is_json and ready.level == "INFO" and ready.logger == "bot.client"
    assert ready.get("user_id") == emu.bot_user_id and ready.get("guilds") == 1
    assert {"time", "level", "logger", "message"} <= set(ready.fields or {})
    assert all(line.is_json for line in bot.records), bot.tail()  # production JSON only
    report_start_up(bot, capsys)

    assert await bot.terminate() == 0
    messages = bot.messages()
    assert "stopping: signal received" in messages
    assert messages[-1] == "stopped", bot.tail()
    assert first(bot, "stopped").level == "INFO"


def report_start_up(bot: BotProcess, capsys: pytest.CaptureFixture[str]) -> None:
    """Spawn to "ready", and where it goes (printed; only a loose bound is asserted).
    `on_ready` comes `guild_ready_timeout` (2 s in LanternBot) after the last GUILD_CREATE."""
    assert bot.spawned_at is not None and bot.startup_seconds is not None
    marks = {"first log line": bot.records[0], "set-up complete": first(bot, "set-up complete")}
    for line in bot.find(lambda line: "connected to Gateway" in line.message)[:1]:
        marks["gateway connected"] = line
    marks["ready"] = first(bot, "ready")
    with capsys.disabled():
        print(f"\n{bot.name}: spawn -> ready {bot.startup_seconds:.2f} s")
        for name, line in sorted(marks.items(), key=lambda item: item[1].at):
            print(f"  {name:<18} +{line.at - bot.spawned_at:.2f} s")
    assert bot.startup_seconds < 15


async def test_a_suicidal_dm_alerts_the_facilitators(
    emu: Emulator, clinic: Clinic, proc: BotProcesses
) -> None:
    # No cohort: a DM is screened in the configured server the person shares with Lantern.
    await proc.configure(clinic.config())
    bot = await proc.start()
    await emu.dm(clinic.bob, CRISIS)
    alert = await wait_alerts(bot, emu, clinic)

    assert "Crisis alert" in text(alert)
    assert field(alert, "Who") == f"<@{clinic.bob.user.id}>"
    assert field(alert, "Where") == "dm"
    assert alert.mention_roles == [clinic.facilitator_role.id]  # a crisis pings the role
    assert {c.split(":")[2] for c in button_ids(alert)} == {"ack", "reached", "false"}
    fired = await bot.wait_log(lambda line: line.message == "crisis pipeline fired")
    assert fired.level == "INFO" and fired.get("user_id") == clinic.bob.user.id
    # What the person wrote never reaches the log at INFO.
    assert not bot.find(lambda line: "pills" in line.text), bot.tail()


async def test_kill_9_and_restart_posts_the_alert_once(
    emu: Emulator, clinic: Clinic, proc: BotProcesses
) -> None:
    await proc.configure(clinic.config())
    bot = await proc.start()
    await emu.dm(clinic.bob, CRISIS)
    await wait_alerts(bot, emu, clinic)
    # Crash only once all of it is out and recorded: the alert (message and thread ids
    # stored) and Bob's support message.
    await bot.watch(wait_db(proc.database, ALERT_POSTED, (clinic.bob.user.id,)))
    await bot.watch(emu.wait_for(lambda: emu.dms(clinic.bob), what="Bob's support DM"))
    assert await bot.kill9() == -9
    assert not bot.find(lambda line: line.message in ("stopping: signal received", "stopped"))
    await emu.dm(clinic.bob, WHILE_DOWN)  # nobody is listening

    again = await proc.start()
    assert again.pid != bot.pid
    # What Bob wrote while Lantern was down is caught up, oldest first, into his alert's
    # thread; once it is there, a repeat of his first message would have come before it.
    thread = await again.watch(emu.wait_for(lambda: alert_thread(emu, 1), what="Alert #1"))
    await again.watch(
        emu.wait_for_message(thread, check=lambda m: "table" in m.content, timeout=10.0)
    )
    # And a new crisis, live: its alert is the next message in #escalations.
    await emu.dm(clinic.dana, CRISIS)
    await wait_alerts(again, emu, clinic, 2)
    with pytest.raises(TimeoutError):  # nothing else arrives
        await emu.wait_for(lambda: len(emu.messages_in(clinic.escalations)) > 2, timeout=0.5)

    whos = [field(m, "Who") for m in alerts(emu, clinic)]
    assert whos == [f"<@{clinic.bob.user.id}>", f"<@{clinic.dana.user.id}>"]
    assert len(emu.messages_in(clinic.escalations)) == 2  # no repeat of Bob's, no re-alert
    follow_ups = [m.content for m in emu.messages_in(thread) if m.author.id == emu.bot_user_id]
    assert len([c for c in follow_ups if "table" in c]) == 1, follow_ups
    assert not [c for c in follow_ups if "pills ready" in c], follow_ups  # not screened twice
    assert len([m for m in emu.dms(clinic.bob) if m.embeds]) == 1  # one support DM in 30 min
    assert await again.terminate() == 0


# --- the harness itself -----------------------------------------------------------------

SPLIT_OUTPUT = r"""
import json, sys, time
out = sys.stderr
record = json.dumps({"time": "t", "level": "INFO", "logger": "bot.client", "message": "ready"})
out.write(record[:20]); out.flush(); time.sleep(0.05)  # half a line, then the rest
out.write(record[20:] + "\nTraceback (most recent call last):\n  boom\n"); out.flush()
out.write(json.dumps({"time": "t", "level": "ERROR", "logger": "bot", "message": "bad x"}))
out.write("\nno newline at the end"); out.flush()
sys.exit(3)
"""


async def test_harness_reads_split_lines_tracebacks_and_the_exit(tmp_path: Path) -> None:
    bot = BotProcess({**os.environ}, tmp_path, name="fake")
    bot.argv = (sys.executable, "-c", SPLIT_OUTPUT)
    try:
        await bot.start()
        assert (await bot.wait_ready(10)).fields == {
            "time": "t",
            "level": "INFO",
            "logger": "bot.client",
            "message": "ready",
        }
        with pytest.raises(BotExited, match="exited with 3"):
            await bot.wait_log(lambda line: line.message == "never", 10)
        assert await bot.wait_exit() == 3
        assert [line.text for line in bot.records if not line.is_json] == [
            "Traceback (most recent call last):",
            "  boom",
            "no newline at the end",
        ]
        assert [line.message for line in bot.errors()] == [
            "Traceback (most recent call last):",
            "bad x",
        ]
        assert [line.message for line in bot.expect_error("bad x")] == ["bad x"]
        assert [line.message for line in bot.unexpected_errors()] == [
            "Traceback (most recent call last):"
        ]
    finally:
        await bot.close()


async def test_a_configuration_problem_ends_the_wait_for_ready_at_once(
    proc: BotProcesses, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERN_DEV_GUILD_ID", "1")  # the developer's shell: not inherited
    assert "LANTERN_DEV_GUILD_ID" not in proc.environment()
    with pytest.raises(BotExited, match="exited with 2"):
        await proc.start(data_key=None, ready_within=15)
    (bot,) = proc.processes
    assert bot.returncode == 2 and not bot.errors()
    (line,) = bot.records  # one readable line, no traceback
    assert not line.is_json and line.text.startswith("lantern: LANTERN_DATA_KEY is not set")
