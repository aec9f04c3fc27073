"""ManagedProcess: the whole process group goes, even a paused one."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from harness.stack.process import ManagedProcess, group_members
from tests.support.poll import wait_until

# A leader that starts a grandchild in its own group and ignores SIGTERM.
STUBBORN = (
    "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
    "print('ready', flush=True); time.sleep(60)"
)


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    wait_until(predicate, what="the condition", timeout=timeout, interval=0.02, transient=())


def test_stop_kills_group_including_grandchildren(tmp_path: Path) -> None:
    process = ManagedProcess("stubborn", [sys.executable, "-c", STUBBORN], log_path=tmp_path / "l")
    process.start()
    _wait_for(lambda: "ready" in process.log_tail())
    assert os.getpgid(process.pid) == process.pid
    members = group_members(process.pgid)
    assert len(members) == 2
    started = time.monotonic()
    process.stop(timeout=0.5)  # SIGTERM ignored -> SIGKILL after 0.5 s
    assert time.monotonic() - started < 4
    assert process.poll() == -signal.SIGKILL
    assert not group_members(process.pgid)
    for member in members:
        assert not member.is_running() or member.status() == psutil.STATUS_ZOMBIE


def test_stop_of_paused_process_is_prompt(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
    process = ManagedProcess("paused", argv, log_path=tmp_path / "l").start()
    _wait_for(lambda: "up" in process.log_tail())
    process.signal(signal.SIGSTOP)
    _wait_for(lambda: psutil.Process(process.pid).status() == psutil.STATUS_STOPPED)
    started = time.monotonic()
    assert process.stop(timeout=5) == -signal.SIGTERM
    assert time.monotonic() - started < 2


def test_log_tail_is_last_lines(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "for i in range(100): print(f'line {i}')"]
    process = ManagedProcess("printer", argv, log_path=tmp_path / "p.log").start()
    assert process.wait(10) == 0
    assert process.log_tail(3).splitlines() == ["line 97", "line 98", "line 99"]
    assert "line 99" in process.describe_log()
