"""A Locust whose harness was SIGKILLed (nobody left to stop it, nobody swept it yet)
stops by itself within seconds: its parent watchdog sees the harness gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.load.run import marked_processes
from harness.paths import PROJECT_DIR
from tests.support.poll import wait_until

pytestmark = pytest.mark.integration

# A harness stand-in: starts a long headless run (and a worker) against nothing, then waits.
HARNESS = """
import sys, time
from harness.load import LocustConfig, LocustRun
run = LocustRun(LocustConfig(host="http://127.0.0.1:9", run_time=300, workers=1), sys.argv[1])
run.start()
print("started", flush=True)
time.sleep(600)
"""


def test_an_orphaned_locust_stops_within_seconds(tmp_path: Path) -> None:
    out = tmp_path / "run"
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(out)], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
        text=True, start_new_session=True,  # its own group: the only one this test kills
    )
    try:
        assert harness.stdout is not None and harness.stdout.readline().strip() == "started"
        # Master and worker (each under `timeout`) are up and marked with the run folder.
        locusts = wait_until(
            lambda: [p for p in marked_processes(str(out)) if "locust" in " ".join(p.cmdline())]
            if len(marked_processes(str(out))) >= 4 else None,
            what="Locust master and worker running", timeout=30,
        )
    finally:
        os.killpg(harness.pid, signal.SIGKILL)
        harness.wait()
    killed_at = time.monotonic()
    wait_until(lambda: not marked_processes(str(out)), timeout=10,
               what=lambda: f"Locust gone after its harness; left: {marked_processes(str(out))}")
    assert time.monotonic() - killed_at < 10
    assert all(not psutil.pid_exists(p.pid) or p.status() == "zombie" for p in locusts)
    assert "harness (pid" in (out / "locust.log").read_text()  # it said why it stopped
