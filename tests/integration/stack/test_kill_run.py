"""`kill -KILL` of a running `harness run`'s process group: Locust (master and workers)
is in the run's marker like every other process, and the next run's sweep leaves
nothing of the killed run alive within 10 s; its report folder is marked INCOMPLETE."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.paths import PROJECT_DIR, STATE_DIR
from harness.stack.process import group_members
from harness.stack.rundir import MARKER, sweep
from tests.support.poll import wait_until

pytestmark = pytest.mark.integration


def _marker_of(pid: int) -> dict | None:
    for path in STATE_DIR.glob(f"*/{MARKER}"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # being replaced, or another run's
        if data["owner"]["pid"] == pid:
            return data
    return None


def _with_locust(pid: int) -> dict | None:
    data = _marker_of(pid)
    names = {c["name"] for c in data["children"]} if data else set()
    return data if {"locust", "locust-worker-0", "api", "prometheus"} <= names else None


def test_a_killed_run_leaves_nothing_after_the_next_sweep(tmp_path: Path) -> None:
    run = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "run", "--load-workers", "1",
         "--report-dir", str(tmp_path), str(PROJECT_DIR / "scenarios" / "baseline.yaml")],
        cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the only one this test kills
    )
    try:
        marker = wait_until(lambda: _with_locust(run.pid), timeout=90,
                            what="the run's marker listing Locust and the stack")
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    groups = {c["name"]: c["pgid"] for c in marker["children"]}
    started = time.monotonic()
    sweep(STATE_DIR)  # what the next run does first
    wait_until(lambda: not any(group_members(g) for g in groups.values()), timeout=10,
               what=lambda: "every group gone; left: "
               + str({n: group_members(g) for n, g in groups.items() if group_members(g)}))
    assert time.monotonic() - started < 10
    assert _marker_of(run.pid) is None  # the run directory was removed
    (report,) = tmp_path.iterdir()
    assert (report / "INCOMPLETE").is_file()  # the killed run's partial report says so
