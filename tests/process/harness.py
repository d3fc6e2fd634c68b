"""Lantern as a real `python -m bot run` subprocess, talking to an emulator in this process.

    proc = BotProcesses(emu, tmp_path)             # the `proc` fixture: one database, one key
    await proc.configure(clinic.config())          # /setup saved before the first start
    bot = await proc.start()                       # spawned and ready (its "ready" log record)
    await bot.wait_log(lambda r: r.message == "crisis pipeline fired")
    await bot.watch(emu.wait_for_message(...))     # an emulator wait that fails fast on a crash
    await bot.kill9()                              # SIGKILL, reaped
    bot = await proc.start()                       # a new process on the same database
    assert await bot.terminate() == 0              # SIGTERM, clean exit
    bot.errors()                                   # ERROR records and tracebacks it printed
    await wait_db(proc.database, "SELECT ...")     # another process's commits (polls)
    await poll(lambda: outbox_pending(proc.database) == 0)  # any check, polled to a deadline

The process is configured the way production is: LANTERN_* environment variables only, a real
data key, INFO logging as JSON (one object per line on stderr). Its working directory is an
empty folder, so no `.env` is read, and the repository is put first on PYTHONPATH, so the code
under test is this checkout whatever is installed. Inherited LANTERN_* variables are dropped.

Log lines are read as they arrive by a background task; waits are on an event that task sets
after each line (and when the process ends), bounded by a deadline. Nothing sleeps blindly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.crypto import generate_key
from bot.storage import Database, apply_migrations
from bot.storage.guilds import GuildConfig, GuildConfigStore
from config.settings import ENV_PREFIX, env_name
from emulator import Emulator

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
ERROR_LEVELS = frozenset({"ERROR", "CRITICAL"})
TRACEBACK = "Traceback (most recent call last)"


# --- log lines -----------------------------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    """One line the process wrote: a parsed JSON log record, or plain text (a traceback line,
    a warning, a `lantern: ...` configuration message) with `fields` None."""

    text: str
    fields: Mapping[str, Any] | None
    at: float
    """time.monotonic() when the harness read the line."""

    @classmethod
    def parse(cls, text: str, at: float) -> LogLine:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not (isinstance(data, dict) and "level" in data and "message" in data):
            data = None
        return cls(text, data, at)

    @property
    def is_json(self) -> bool:
        return self.fields is not None

    @property
    def level(self) -> str | None:
        return str(self.fields["level"]) if self.fields else None

    @property
    def logger(self) -> str | None:
        return str(self.fields.get("logger")) if self.fields else None

    @property
    def message(self) -> str:
        return str(self.fields["message"]) if self.fields else self.text

    def get(self, key: str, default: Any = None) -> Any:
        """A field of the JSON record (`extra=` keys included), else `default`."""
        return self.fields.get(key, default) if self.fields else default

    @property
    def is_error(self) -> bool:
        """ERROR or CRITICAL, or the first line of a traceback printed outside logging."""
        if self.fields is not None:
            return self.level in ERROR_LEVELS
        return self.text.startswith(TRACEBACK)

    def __str__(self) -> str:
        return self.text


def is_ready(line: LogLine) -> bool:
    """`LanternBot.on_ready` logs "ready" on the `bot.client` logger."""
    return line.logger == "bot.client" and line.message == "ready"


class BotExited(AssertionError):
    """The process ended while a test was waiting for something from it."""


# --- one process ---------------------------------------------------------------------


class BotProcess:
    """One `python -m bot run` (or another subcommand) with its output read line by line."""

    def __init__(
        self,
        env: Mapping[str, str],
        cwd: Path,
        *,
        args: Sequence[str] = ("run",),
        name: str = "lantern",
    ) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.argv = (sys.executable, "-m", "bot", *args)
        self.name = name
        self.records: list[LogLine] = []
        """Every line so far, in order: JSON records and plain lines alike."""
        self.spawned_at: float | None = None
        self.ready_at: float | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._ended = False
        self._expected: list[str] = []

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> BotProcess:
        if self._proc is not None:
            raise RuntimeError(f"{self.name} was already started; make a new BotProcess")
        self.spawned_at = time.monotonic()
        self._proc = await asyncio.create_subprocess_exec(
            *self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            # stdout and stderr share the pipe: logs go to stderr and `run` prints nothing
            # to stdout, but nothing a crash prints is lost either way.
            stderr=asyncio.subprocess.STDOUT,
            # Its own session: a Ctrl+C at the terminal reaches pytest, not the bot.
            start_new_session=True,
        )
        assert self._proc.stdout is not None
        self._reader = asyncio.create_task(
            self._read(self._proc.stdout), name=f"{self.name}-{self._proc.pid}-output"
        )
        return self

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and not self._ended and self._proc.returncode is None

    @property
    def startup_seconds(self) -> float | None:
        """From spawning to reading the "ready" record (after `wait_ready`)."""
        if self.spawned_at is None or self.ready_at is None:
            return None
        return self.ready_at - self.spawned_at

    async def wait_ready(self, timeout: float = 20.0) -> LogLine:  # noqa: ASYNC109
        line = await self.wait_log(is_ready, timeout, what='the "ready" log record')
        self.ready_at = line.at
        return line

    async def wait_exit(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        """Wait until the process has exited and all its output is read; its return code."""
        reader = self._started_reader()
        await asyncio.wait_for(asyncio.shield(reader), timeout)
        assert self._proc is not None and self._proc.returncode is not None
        return self._proc.returncode

    async def kill9(self) -> int:
        """SIGKILL (a crash: no shutdown code runs) and reap; returns -9."""
        proc = self._started()
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGKILL)
        return await self.wait_exit()

    async def terminate(self, timeout: float = 15.0) -> int:  # noqa: ASYNC109
        """SIGTERM (what `docker stop` and systemd send); wait for the exit; its code.
        A process still there after `timeout` is killed and TimeoutError raised."""
        proc = self._started()
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        try:
            return await self.wait_exit(timeout)
        except TimeoutError:
            await self.kill9()
            raise TimeoutError(
                f"{self.name} did not exit within {timeout}s of SIGTERM\n{self.tail()}"
            ) from None

    async def close(self) -> None:
        """Teardown: kill the process if it still runs, and finish reading. Safe twice."""
        if self._proc is None:
            return
        if self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGKILL)
        if self._reader is not None and not self._reader.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._reader), 10.0)
            except TimeoutError:
                self._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._reader

    # --- reading -------------------------------------------------------------------------

    async def _read(self, stream: asyncio.StreamReader) -> None:
        pending = b""
        try:
            # read(), not readline(): no line-length limit, and a line split across chunks
            # (a long traceback record) stays in `pending` until its newline arrives.
            while chunk := await stream.read(1 << 16):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                self._add(lines)
            if pending:  # the last line of a process killed mid-write has no newline
                self._add([pending])
            assert self._proc is not None
            await self._proc.wait()
        finally:
            self._ended = True
            self._wake()

    def _add(self, lines: Sequence[bytes]) -> None:
        if not lines:
            return
        now = time.monotonic()
        for raw in lines:
            text = raw.decode("utf-8", errors="replace").rstrip("\r")
            if text:
                self.records.append(LogLine.parse(text, now))
        self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_log(
        self,
        predicate: Callable[[LogLine], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        after: int = 0,
        what: str = "",
    ) -> LogLine:
        """The first line (from index `after` of `records`) matching `predicate`, as soon as
        it is read. TimeoutError after `timeout` s; BotExited if the process ends first."""
        self._started_reader()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = after
        while True:
            changed = self._changed  # taken before looking: no wake-up can be missed
            for line in self.records[seen:]:
                if predicate(line):
                    return line
            seen = max(seen, len(self.records))
            if self._ended:
                raise BotExited(
                    f"{self.name} exited with {self.returncode} before "
                    f"{what or 'the awaited log line'}\n{self.tail()}"
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"no {what or 'matching log line'} from {self.name} within {timeout}s\n"
                    f"{self.tail()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def watch(self, awaitable: Awaitable[T]) -> T:
        """Await `awaitable` (say, an emulator wait), but raise BotExited at once if the
        process ends first, instead of waiting out the other wait's timeout."""
        reader = self._started_reader()
        task = asyncio.ensure_future(awaitable)
        ended = asyncio.ensure_future(asyncio.shield(reader))
        try:
            await asyncio.wait({task, ended}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
            if not task.done():
                task.cancel()
            for waiter in (task, ended):
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait({waiter})
        if task.cancelled() or not task.done():
            raise BotExited(
                f"{self.name} exited with {self.returncode} while waiting\n{self.tail()}"
            )
        return task.result()

    def _started(self) -> asyncio.subprocess.Process:
        if self._proc is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._proc

    def _started_reader(self) -> asyncio.Task[None]:
        self._started()
        assert self._reader is not None
        return self._reader

    # --- looking -------------------------------------------------------------------------

    def find(self, predicate: Callable[[LogLine], bool]) -> list[LogLine]:
        return [line for line in self.records if predicate(line)]

    def messages(self, logger: str | None = None) -> list[str]:
        """The `message` of each JSON record (of `logger` and its children, if given)."""
        return [
            line.message
            for line in self.records
            if line.is_json and (logger is None or f"{line.logger}.".startswith(f"{logger}."))
        ]

    def errors(self) -> list[LogLine]:
        """Records at ERROR or CRITICAL, and the first line of any plain traceback."""
        return [line for line in self.records if line.is_error]

    def expect_error(self, fragment: str) -> list[LogLine]:
        """Mark errors mentioning `fragment` (in the message or the whole line) as expected,
        also those logged later; returns the ones seen so far."""
        self._expected.append(fragment)
        return [line for line in self.errors() if fragment in line.text]

    def unexpected_errors(self) -> list[LogLine]:
        return [
            line
            for line in self.errors()
            if not any(fragment in line.text for fragment in self._expected)
        ]

    def tail(self, lines: int = 40) -> str:
        shown = self.records[-lines:]
        head = f"--- last {len(shown)} of {len(self.records)} lines from {self.name} ---"
        return "\n".join([head, *(line.text for line in shown)])

    def __repr__(self) -> str:
        return f"<BotProcess {self.name} pid={self.pid} returncode={self.returncode}>"


# --- a database and the processes that share it --------------------------------------


async def save_guild_config(
    database: Path, config: GuildConfig, now: datetime | None = None
) -> None:
    """What `/setup server` stores, written straight into `database` (created and migrated
    if needed). Call it while no process has the database open."""
    db = await Database.open(database)
    try:
        moment = now or datetime.now(UTC)
        await apply_migrations(db, moment)
        await GuildConfigStore(db).save(config, moment)
    finally:
        await db.close()


def query_db(database: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read `database` while a process writes it (read-only; WAL lets readers in)."""
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        return list(conn.execute(sql, params).fetchall())
    finally:
        conn.close()


async def wait_db(
    database: Path,
    sql: str,
    params: Sequence[Any] = (),
    timeout: float = 10.0,  # noqa: ASYNC109
    *,
    every: float = 0.02,
) -> list[tuple[Any, ...]]:
    """Rows of `sql` once there are any. This one polls (every `every` s, to a deadline):
    another process's commits send no notification."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = await asyncio.to_thread(query_db, database, sql, params)
        if rows:
            return rows
        if loop.time() >= deadline:
            raise TimeoutError(f"no rows within {timeout}s for: {sql}")
        await asyncio.sleep(every)


async def poll(
    check: Callable[[], Awaitable[T | None] | T | None],
    timeout: float = 10.0,  # noqa: ASYNC109
    *,
    every: float = 0.05,
    what: str = "",
) -> T:
    """`check()` (sync or async) once it returns something truthy, polled every `every` s
    to a deadline: for state another process writes (its database) and the emulator's
    together. TimeoutError names `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        if loop.time() >= deadline:
            raise TimeoutError(f"not within {timeout}s: {what or check!r}")
        await asyncio.sleep(every)


def outbox_pending(database: Path) -> int:
    """Outbox rows still to deliver (any process's commits; read-only)."""
    return int(query_db(database, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0])


class BotProcesses:
    """Spawns `python -m bot run` processes for one emulator, one database and one data key
    (so a restart finds what the previous process stored). `close()` kills what still runs."""

    def __init__(self, emu: Emulator, workdir: Path, *, data_key: str | None = None) -> None:
        self.emu = emu
        self.workdir = workdir
        self.database = workdir / "lantern.db"
        self.cwd = workdir / "cwd"  # empty: no .env to read
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.data_key = data_key or generate_key()  # what `python -m bot gen-key` prints
        self.processes: list[BotProcess] = []

    def environment(self, **settings: str | None) -> dict[str, str]:
        """The process environment: this one without LANTERN_*, plus production settings
        pointed at the emulator. `settings` by Settings field name; None removes one."""
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith(ENV_PREFIX)}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p
        )
        env["PYTHONUNBUFFERED"] = "1"
        values: dict[str, str | None] = {
            "discord_token": self.emu.bot_token,
            "discord_api_url": self.emu.api_base,
            "discord_gateway_url": self.emu.gateway_url,
            "database": str(self.database),
            "data_key": self.data_key,
            "log_level": "INFO",
            "log_format": "json",
            **settings,
        }
        for field, value in values.items():
            if value is not None:
                env[env_name(field)] = value
        return env

    async def configure(self, config: GuildConfig) -> None:
        """Save a server's /setup into the database before a process starts."""
        if any(p.running for p in self.processes):
            raise RuntimeError("configure() before starting: a process has the database open")
        await save_guild_config(self.database, config)

    def new(self, *, args: Sequence[str] = ("run",), **settings: str | None) -> BotProcess:
        """A process (not started yet) with this database and the emulator's address."""
        if (self.cwd / ".env").exists():
            raise RuntimeError(f"{self.cwd} must stay empty: a .env there would be read")
        process = BotProcess(
            self.environment(**settings),
            self.cwd,
            args=args,
            name=f"lantern#{len(self.processes) + 1}",
        )
        self.processes.append(process)
        return process

    async def start(
        self, *, ready_within: float | None = 20.0, **settings: str | None
    ) -> BotProcess:
        """Spawn `python -m bot run` and (unless `ready_within` is None) wait for "ready"."""
        running = [p for p in self.processes if p.running]
        if running:
            raise RuntimeError(f"{running[0]!r} still runs on this database; stop it first")
        process = await self.new(**settings).start()
        if ready_within is not None:
            await process.wait_ready(ready_within)
        return process

    async def close(self) -> None:
        for process in self.processes:
            await process.close()

    def unexpected_errors(self) -> list[tuple[BotProcess, LogLine]]:
        return [(p, line) for p in self.processes for line in p.unexpected_errors()]

    def report(self) -> str:
        return "\n".join(f"{p.name}: {line.text}" for p, line in self.unexpected_errors())
