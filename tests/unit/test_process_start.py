"""harness.process_start: a process told by its start in clock ticks since boot, a number
every reader sees alike (psutil's create_time adds the boot time, which moves with the
wall clock: a live harness once looked dead to its Locust's watchdog)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from harness.process_start import is_same_process, start_ticks

NO_SUCH_PID = 2**22 + 11  # above the kernel's pid_max


def test_another_process_reads_the_same_start() -> None:
    code = f"from harness.process_start import start_ticks; print(start_ticks({os.getpid()}))"
    seen = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert seen == str(start_ticks(os.getpid()))


def test_a_process_is_itself_and_not_one_started_at_another_time() -> None:
    ticks = start_ticks(os.getpid())
    assert ticks is not None
    assert is_same_process(os.getpid(), ticks)
    assert is_same_process(os.getpid(), None)
    assert not is_same_process(os.getpid(), ticks - 1)  # the pid reused by a later process


def test_a_process_name_with_spaces_and_parentheses_is_parsed(tmp_path: Path) -> None:
    program = tmp_path / "a) 1 2 (c"  # the name /proc/<pid>/stat shows in parentheses
    shutil.copy(shutil.which("sleep") or "/bin/sleep", program)
    child = subprocess.Popen([str(program), "30"])
    try:
        assert start_ticks(child.pid) is not None
        assert is_same_process(child.pid, start_ticks(child.pid))
    finally:
        child.kill()
        child.wait()


def test_gone_and_zombie_processes_are_not_running() -> None:
    assert start_ticks(NO_SUCH_PID) is None
    assert not is_same_process(NO_SUCH_PID, None)
    child = subprocess.Popen(["true"])
    ticks = start_ticks(child.pid)
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
    assert not is_same_process(child.pid, ticks)
    child.wait()
