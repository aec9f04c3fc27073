"""A child process in its own process group, with its output in a log file.

``stop()`` is terminate -> wait -> kill, applied to the whole group, so nothing the
child spawned outlives it. A stopped (SIGSTOP) child is continued after SIGTERM so it
can act on it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

from harness.errors import StackError
from harness.process_start import start_ticks
from harness.stack.wait import format_log_tail


class ManagedProcess:
    """One child program: ``start()``, ``signal()``, ``stop()``, ``log_tail()``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self._popen: subprocess.Popen[bytes] | None = None
        self.start_ticks: int | None = None  # to tell this pid from a reused one

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> ManagedProcess:
        if self._popen is not None:
            raise RuntimeError(f"{self.name} already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            try:
                self._popen = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self.env,
                    cwd=self.cwd,
                    start_new_session=True,  # own session and process group
                )
            except OSError as exc:
                raise StackError(f"Cannot start {self.name} ({self.argv[0]}): {exc}") from None
        self.start_ticks = start_ticks(self._popen.pid)
        return self

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise RuntimeError(f"{self.name} not started")
        return self._popen.pid

    @property
    def pgid(self) -> int:
        return self.pid  # start_new_session: the child leads its own group

    @property
    def started(self) -> bool:
        return self._popen is not None

    def poll(self) -> int | None:
        """Exit code, or None while running (or never started)."""
        return self._popen.poll() if self._popen is not None else None

    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def wait(self, timeout: float) -> int:
        """Wait for exit; StackError with the log tail if it takes longer than ``timeout``."""
        if self._popen is None:
            raise RuntimeError(f"{self.name} not started")
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise StackError(
                f"{self.name} did not finish within {timeout:g} s.\n{self.describe_log()}"
            ) from None

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the whole process group (no-op if the group is gone)."""
        if self._popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, sig)

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM the group, wait up to ``timeout``, then SIGKILL it; return the exit code."""
        self.terminate()
        return self.finish(time.monotonic() + timeout)

    def terminate(self) -> None:
        """First half of ``stop()``: ask the group to exit (lets callers stop many at once)."""
        if self._popen is not None and self._popen.poll() is None:
            self.signal(signal.SIGTERM)
            self.signal(signal.SIGCONT)  # a paused child cannot act on SIGTERM

    def finish(self, deadline: float) -> int | None:
        """Second half of ``stop()``: wait until ``deadline`` (monotonic), then SIGKILL."""
        if self._popen is None:
            return None
        try:
            self._popen.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self._popen.wait()
        # The leader is gone; anything it left in its group goes too.
        self.signal(signal.SIGKILL)
        wait_group_gone(self.pgid, time.monotonic() + 2.0)
        return self._popen.returncode

    # -- logs --------------------------------------------------------------------------
    def logs(self, max_bytes: int = 1_000_000) -> str:
        """The end of the log, every run of this process ('' if there is none)."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - max_bytes))
                data = log.read()
        except OSError:
            return ""
        return data.decode("utf-8", errors="replace")

    def log_tail(self, lines: int = 20, max_bytes: int = 16_384) -> str:
        """The last ``lines`` lines of the log ('' if there is none)."""
        return "\n".join(self.logs(max_bytes).splitlines()[-lines:])

    def describe_log(self, lines: int = 20) -> str:
        return format_log_tail(str(self.log_path), self.log_tail(lines, 16_384), lines)

    def __repr__(self) -> str:
        state = "not started" if self._popen is None else f"pid {self._popen.pid}"
        return f"ManagedProcess({self.name!r}, {state})"


def group_members(pgid: int) -> list[psutil.Process]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                members.append(proc)
    return members


def wait_group_gone(pgid: int, deadline: float) -> bool:
    """Wait until no live process is left in the group; True if none is left."""
    while True:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return True
        # killpg also reaches zombies (reaped by init later): those count as gone.
        if not group_members(pgid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
