"""``LocustRun``: Locust in its own processes (gevent stays out of pytest), always bounded.

Each process runs in its own process group under ``timeout --foreground`` with a hard
deadline, and carries ``HARNESS_LOAD_RUN=<out_dir>`` in its environment so a sweep can
find it. ``stop()`` (also on every exit of the context manager) asks Locust to shut down
cleanly (it then writes its final statistics), waits, then kills every group and sweeps.
If this process dies without stopping it: ``on_start`` has told the stack (recorded in
its marker, swept by the next run), and ``HARNESS_PARENT`` lets Locust's own watchdog
(``locustfiles/parent_watch.py``) stop it within seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from harness.load.command import (
    OK_EXIT_CODES,
    LocustConfig,
    master_command,
    worker_command,
)
from harness.load.errors import LoadError
from harness.load.shape_plan import PHASE_LOG_ENV, PHASES_ENV, write_phases
from harness.load.stats import LoadStats
from harness.process_start import start_ticks
from harness.scoped import Scoped
from harness.stack.ports import free_port
from harness.stack.process import ManagedProcess

MARKER_ENV = "HARNESS_LOAD_RUN"
FAULT_TOKEN_ENV = "HARNESS_FAULT_TOKEN"
USERS_ENV = "HARNESS_LOAD_USERS"  # FollowShape's file: users, spawn_rate, run_time, stop
PARENT_ENV = "HARNESS_PARENT"  # locustfiles/parent_watch.py: "<pid>:<start time>" of ours
TIMEOUT_EXIT = 124  # coreutils timeout: the deadline passed


@dataclass(frozen=True)
class LoadResult:
    stats: LoadStats
    exit_code: int | None
    duration: float  # seconds from start to exit
    out_dir: Path


class LocustRun(Scoped):
    """One Locust run: ``start()``, then ``wait()`` (headless) or drive the web UI, ``stop()``."""

    def __init__(
        self,
        config: LocustConfig,
        out_dir: Path | None = None,
        *,
        on_start: Callable[[ManagedProcess], None] | None = None,
    ) -> None:
        """``on_start``: told of each process once started (a stack records it for the
        sweep that follows a crashed run)."""
        self.config = config
        self._on_start = on_start
        self.out_dir = Path(out_dir or tempfile.mkdtemp(prefix="locust-run-")).resolve()
        self.web_port: int | None = None
        self.master: ManagedProcess | None = None
        self.workers: list[ManagedProcess] = []
        self._started_at: float | None = None
        self._ended_at: float | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> LocustRun:
        if self.master is not None:
            raise RuntimeError("LocustRun already started")
        cfg = self.config
        self.out_dir.mkdir(parents=True, exist_ok=True)
        env = self._env()
        self.web_port = free_port() if cfg.web_ui else None
        master_port = free_port() if cfg.workers else None
        argv = master_command(cfg, self.out_dir, web_port=self.web_port, master_port=master_port)
        commands = [argv]
        self.master = ManagedProcess(
            "locust", argv, log_path=self.out_dir / "locust.log", env=env, cwd=self.out_dir
        )
        self._started_at = time.monotonic()
        try:
            self._started(self.master)
            for i in range(cfg.workers):
                assert master_port is not None
                wargv = worker_command(cfg, master_port)
                commands.append(wargv)
                worker = ManagedProcess(
                    f"locust-worker-{i}",
                    wargv,
                    log_path=self.out_dir / f"locust-worker-{i}.log",
                    env=env,
                    cwd=self.out_dir,
                )
                self.workers.append(worker)
                self._started(worker)
        except BaseException:
            self.stop()
            raise
        (self.out_dir / "command.txt").write_text(
            "\n".join(shlex.join(c) for c in commands) + "\n", encoding="utf-8"
        )
        return self

    def _started(self, process: ManagedProcess) -> None:
        process.start()
        if self._on_start is not None:
            self._on_start(process)

    def _env(self) -> dict[str, str]:
        cfg = self.config
        # Locust reads LOCUST_* variables as options: none of the caller's leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")}
        env.pop(PHASES_ENV, None)  # only this run's own plan
        env.update(cfg.env)
        env[MARKER_ENV] = str(self.out_dir)
        env[PARENT_ENV] = f"{os.getpid()}:{start_ticks(os.getpid())}"
        env["PYTHONUNBUFFERED"] = "1"
        if cfg.fault_token:
            env[FAULT_TOKEN_ENV] = cfg.fault_token
        env[PHASE_LOG_ENV] = str(self.out_dir / "phases.jsonl")  # written by PhaseShape only
        if cfg.phases:
            env[PHASES_ENV] = str(write_phases(self.out_dir / "phases.json", cfg.phases))
        env.pop(USERS_ENV, None)
        if cfg.follow:
            env[USERS_ENV] = str(self._users_file)
            self.set_users(cfg.users, cfg.spawn_rate)
        return env

    # -- follow mode: the harness sets the user count -----------------------------------
    @property
    def _users_file(self) -> Path:
        return self.out_dir / "users.json"

    def set_users(self, users: int, spawn_rate: float | None = None) -> None:
        """Change the user count of a ``follow`` run; Locust picks it up within 1 s (a
        shape's tick). Written atomically: the shape never reads half a file."""
        if not self.config.follow:
            raise RuntimeError("set_users needs LocustConfig(follow=True)")
        rate = spawn_rate if spawn_rate is not None else float(max(users, 1))
        # run_time: Locust ignores --run-time while a shape runs; the shape ends the run itself.
        self._write_users({"users": users, "spawn_rate": rate, "run_time": self.config.run_time})

    def _write_users(self, body: dict[str, object]) -> None:
        tmp = self._users_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(body), encoding="utf-8")
        os.replace(tmp, self._users_file)

    def _end_follow(self, grace: float) -> None:
        """Ask a follow run's shape to end the test. Locust installs its SIGTERM handler
        only after a headless shape returns, so a SIGTERM before that kills it without
        its final statistics; an ended shape lets it shut down and write them."""
        master = self.master
        if not self.config.follow or master is None or not master.is_running():
            return
        self._write_users({"stop": True})
        end = time.monotonic() + grace
        while master.is_running() and time.monotonic() < end:
            time.sleep(0.05)

    @property
    def web_url(self) -> str:
        if self.web_port is None:
            raise RuntimeError("this run has no web UI (web_ui=False)")
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes() if p.started]

    def _processes(self) -> list[ManagedProcess]:
        return [p for p in (self.master, *self.workers) if p is not None]

    def is_running(self) -> bool:
        return any(p.is_running() for p in self._processes())

    def _deadline(self) -> float:
        assert self._started_at is not None
        return self._started_at + self.config.deadline + 10.0  # `timeout` acts first

    # -- waiting ---------------------------------------------------------------------
    def wait_ready(self, timeout: float = 20.0) -> None:
        """Web UI runs: poll until the web UI answers (and every worker is still alive)."""
        end = time.monotonic() + timeout
        last = "no answer yet"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < end:
                self._raise_if_exited("before its web UI was ready")
                try:
                    if client.get(self.web_url + "/").status_code == 200:
                        return
                except httpx.HTTPError as exc:
                    last = str(exc) or type(exc).__name__
                time.sleep(0.1)
        raise LoadError(
            f"Locust web UI not ready within {timeout:g} s at {self.web_url}; last error: {last}\n"
            + self._describe()
        )

    def wait(self, timeout: float | None = None, *, check: bool = True) -> LoadResult:
        """Wait until Locust stops by itself (or its deadline), then read its statistics.

        ``check``: LoadError if Locust failed (exit code other than 0 or 3) or had to be killed.
        """
        master = self._require_master()
        end = self._deadline() if timeout is None else time.monotonic() + timeout
        while master.is_running() and time.monotonic() < end:
            time.sleep(0.1)
        killed = master.is_running()
        if not killed:
            # Workers quit when the master tells them to: give them a moment before stop().
            worker_end = time.monotonic() + 5.0
            while any(w.is_running() for w in self.workers) and time.monotonic() < worker_end:
                time.sleep(0.05)
        self.stop()
        code = master.poll()
        if check and (killed or code not in OK_EXIT_CODES):
            why = "did not stop by itself" if killed or code == TIMEOUT_EXIT else f"exited {code}"
            raise LoadError(f"Locust {why} (run directory {self.out_dir}).\n{self._describe()}")
        return self.result()

    def result(self) -> LoadResult:
        master = self._require_master()
        try:
            stats = LoadStats.from_dir(self.out_dir)
        except LoadError as exc:
            raise LoadError(f"{exc}\n{self._describe()}") from None
        started = self._started_at or 0.0
        ended = self._ended_at or time.monotonic()
        return LoadResult(stats, master.poll(), ended - started, self.out_dir)

    def ensure_running(self, when: str) -> None:
        """LoadError (with Locust's log tail) if the master exited ``when`` it should still
        run: the load a scenario is judged on did not happen. Judged by time, not by exit
        code (Locust also exits non-zero in a normal run that recorded failures)."""
        master = self._require_master()
        if master.started and not master.is_running():
            raise LoadError(
                f"Locust exited ({master.poll()}) {when}: the scenario's load did not run.\n"
                + self._describe()
            )

    def _raise_if_exited(self, when: str) -> None:
        for proc in self._processes():
            if proc.started and not proc.is_running():
                raise LoadError(
                    f"{proc.name} exited ({proc.poll()}) {when}.\n{proc.describe_log()}"
                )

    # -- stopping --------------------------------------------------------------------
    def stop(self, grace: float = 10.0) -> None:
        """Clean shutdown (SIGTERM to Locust), then kill every group and sweep. Idempotent."""
        self._end_follow(grace)
        procs = [p for p in self._processes() if p.started]
        # Master first: it tells its workers to quit and writes the final statistics.
        for proc in procs:
            if proc.is_running():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)  # `timeout` forwards it to Locust once
                end = time.monotonic() + grace
                while proc.is_running() and time.monotonic() < end:
                    time.sleep(0.05)
        for proc in procs:
            proc.stop(timeout=2.0)
        for leftover in marked_processes(str(self.out_dir)):
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        if self._ended_at is None and self._started_at is not None:
            self._ended_at = time.monotonic()

    def _enter(self) -> None:
        if self.master is None:
            self.start()

    def _leave(self) -> None:
        self.stop()

    # -- diagnostics -----------------------------------------------------------------
    def _require_master(self) -> ManagedProcess:
        if self.master is None:
            raise RuntimeError("LocustRun not started")
        return self.master

    def _describe(self) -> str:
        return "\n".join(p.describe_log() for p in self._processes() if p.started)


def marked_processes(marker: str) -> list[psutil.Process]:
    """Live processes whose environment carries ``HARNESS_LOAD_RUN=marker``."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(MARKER_ENV) == marker:
                found.append(proc)
    return found


def run_load(config: LocustConfig, out_dir: Path | None = None) -> LoadResult:
    """Start a headless run, wait for it to end by itself, and return its statistics."""
    if config.web_ui:
        raise LoadError("run_load() is for headless runs; drive a web UI run with LocustRun.")
    with LocustRun(config, out_dir) as run:
        return run.wait()
