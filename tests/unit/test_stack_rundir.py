"""Run directories and the sweep, with real short-lived processes.

The "owner" of a swept run is a real process that has exited; its "children" are
real process groups that outlived it, as after a SIGKILLed `harness up`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from harness.process_start import start_ticks
from harness.stack.process import ManagedProcess, group_members
from harness.stack.rundir import MARKER, ProcessRecord, RunDir, sweep
from tests.support.poll import wait_until

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    wait_until(predicate, what="the condition", timeout=timeout, interval=0.02, transient=())


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def started() -> Iterator[list[ManagedProcess]]:
    processes: list[ManagedProcess] = []
    yield processes
    for process in processes:  # whatever a failing test left behind
        process.stop(timeout=1)


def _child(
    tmp_path: Path, started: list[ManagedProcess], name: str, argv: list[str]
) -> ManagedProcess:
    process = ManagedProcess(name, argv, log_path=tmp_path / f"{name}.log").start()
    started.append(process)
    return process


def _dead_owner() -> ProcessRecord:
    """The record of a real process that has already exited."""
    owner = subprocess.Popen(SLEEP)
    record = ProcessRecord(
        "owner", owner.pid, owner.pid, SLEEP, start_ticks(owner.pid)
    )
    owner.kill()
    owner.wait()
    return record


def _orphan_run(state: Path, children: list[ManagedProcess]) -> RunDir:
    run = RunDir.create(state, "test")
    for child in children:
        run.record(child)
    run.marker.owner = _dead_owner()
    run._write()
    return run


def test_marker_records_owner_and_children(tmp_path: Path, started: list[ManagedProcess]) -> None:
    run = RunDir.create(tmp_path / "state", "label")
    child = _child(tmp_path, started, "sleeper", SLEEP)
    run.record(child)
    data = json.loads((run.path / MARKER).read_text())
    assert run.path.name.startswith("label-")
    assert data["owner"]["pid"] == psutil.Process().pid
    assert data["children"] == [
        {
            "name": "sleeper",
            "pid": child.pid,
            "pgid": child.pid,
            "argv": SLEEP,
            "start_ticks": child.start_ticks,
        }
    ]


def test_sweep_kills_leftovers_of_a_dead_owner(
    tmp_path: Path, started: list[ManagedProcess]
) -> None:
    state = tmp_path / "state"
    children = [_child(tmp_path, started, f"c{i}", SLEEP) for i in range(2)]
    run = _orphan_run(state, children)

    assert sweep(state) == [run.path]
    _wait_for(lambda: all(child.poll() is not None for child in children))
    assert not any(group_members(child.pgid) for child in children)
    assert not run.path.exists()


def test_sweep_kills_group_whose_leader_already_exited(
    tmp_path: Path, started: list[ManagedProcess]
) -> None:
    # The leader exits at once, leaving a grandchild behind in its process group.
    script = f"import subprocess; subprocess.Popen({SLEEP!r})"
    leader = _child(tmp_path, started, "leader", [sys.executable, "-c", script])
    assert leader.wait(10) == 0
    _wait_for(lambda: len(group_members(leader.pgid)) == 1)
    grandchild = group_members(leader.pgid)[0]

    run = _orphan_run(tmp_path / "state", [leader])
    sweep(tmp_path / "state")
    _wait_for(lambda: not _alive(grandchild.pid))
    assert not run.path.exists()


def test_sweep_leaves_live_runs_alone(tmp_path: Path, started: list[ManagedProcess]) -> None:
    state = tmp_path / "state"
    run = RunDir.create(state, "live")  # owned by this (live) test process
    child = _child(tmp_path, started, "sleeper", SLEEP)
    run.record(child)
    assert sweep(state) == []
    assert child.is_running() and run.path.exists()


def test_sweep_never_kills_a_reused_pid(tmp_path: Path, started: list[ManagedProcess]) -> None:
    """A recorded pid now running something else (other start time) is not touched."""
    state = tmp_path / "state"
    bystander = _child(tmp_path, started, "bystander", SLEEP)
    run = _orphan_run(state, [bystander])
    marker = json.loads((run.path / MARKER).read_text())
    marker["children"][0]["start_ticks"] -= 360000  # "started an hour earlier": not this one
    (run.path / MARKER).write_text(json.dumps(marker))

    assert sweep(state) == [run.path]
    assert bystander.is_running()


def test_sweep_checks_the_command_line(tmp_path: Path, started: list[ManagedProcess]) -> None:
    state = tmp_path / "state"
    bystander = _child(tmp_path, started, "bystander", SLEEP)
    run = _orphan_run(state, [bystander])
    marker = json.loads((run.path / MARKER).read_text())
    marker["children"][0]["argv"] = ["/usr/bin/prometheus", "--config.file=x"]
    (run.path / MARKER).write_text(json.dumps(marker))

    sweep(state)
    assert bystander.is_running()


def test_kept_run_dir_is_not_swept(tmp_path: Path) -> None:
    state = tmp_path / "state"
    run = RunDir.create(state, "kept")
    run.marker.owner = _dead_owner()
    run._write()
    run.close(keep=True)
    assert sweep(state) == []
    assert run.path.exists() and not (run.path / MARKER).exists()


def test_a_run_another_sweep_removes_meanwhile_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two harness processes sweep at once (CI runs tests/ and the scenarios side by
    side): a marker the other one removed between this one's look and read is skipped."""
    import shutil

    state = tmp_path / "state"
    run = RunDir.create(state, "gone")
    marker = run.path / MARKER
    read_text = Path.read_text

    def removed_first(self: Path, *args: object, **kwargs: object) -> str:
        if self == marker:
            shutil.rmtree(run.path)  # the other sweep won the race
        return read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", removed_first)
    assert sweep(state) == []
