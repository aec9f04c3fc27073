"""`harness up` as a user runs it: Ctrl-C, SIGTERM and SIGKILL leave nothing behind.

These run the real CLI in a subprocess through harness_up.py, which only swaps the
target for the stand-in (the machinery under test is the same). One test runs the
real `harness` entry point with the real target when it is there.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from stack_helpers import HARNESS_UP, alive, wait_for

from harness.paths import PROJECT_DIR
from harness.stack.rundir import MARKER

pytestmark = pytest.mark.integration
READY_TIMEOUT = 30.0


@dataclass
class UpRun:
    """A running `harness up`, its output read line by line in a thread."""

    popen: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    output: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)

    def read_until(self, text: str, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} not printed in {timeout} s:\n" + "".join(self.output)
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            self.output.append(line)
            if ":" in line and line.startswith("  "):
                label, _, value = line.strip().partition(":")
                self.urls[label] = value.strip()
            if text in line:
                return

    @property
    def run_dir(self) -> Path:
        return Path(self.urls["Run directory"])

    def child_pids(self) -> dict[str, int]:
        marker = json.loads((self.run_dir / MARKER).read_text())
        return {child["name"]: child["pid"] for child in marker["children"]}


def _start(argv: list[str]) -> UpRun:
    popen = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    run = UpRun(popen)

    def pump() -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            run.lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return run


@pytest.fixture
def harness_up() -> Iterator[list[UpRun]]:
    runs: list[UpRun] = []
    yield runs
    for run in runs:  # a failing test must not leave a stack running
        if run.popen.poll() is None:
            run.popen.send_signal(signal.SIGINT)
            try:
                run.popen.wait(15)
            except subprocess.TimeoutExpired:
                run.popen.kill()


def _up(runs: list[UpRun], *args: str) -> UpRun:
    run = _start([sys.executable, str(HARNESS_UP), "up", *args])
    runs.append(run)
    run.read_until("Press Ctrl-C to stop.")
    return run


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_every_process(harness_up: list[UpRun], sig: signal.Signals) -> None:
    run = _up(harness_up)
    assert run.output[0].startswith("Stack is up in ")
    assert any(line.startswith("Load: locust -f locustfiles/") for line in run.output)
    api = run.urls["API"]
    assert f"--host {api}" in "".join(run.output)
    assert httpx.get(f"{api}/metrics", trust_env=False).status_code == 200
    pids = run.child_pids()
    assert {"redis", "worker", "api", "alertmanager", "prometheus"} <= set(pids)

    if sig == signal.SIGINT:  # SIGTERM goes in while `up` still waits for the first scrape
        run.read_until("Prometheus is scraping the API and the worker")
    run.popen.send_signal(sig)
    assert run.popen.wait(15) == 0
    for name, pid in pids.items():
        assert not alive(pid), f"{name} (pid {pid}) outlived `harness up`"
    assert not run.run_dir.exists()


def test_sigkilled_run_is_swept_by_the_next(harness_up: list[UpRun]) -> None:
    first = _up(harness_up)
    pids = first.child_pids()
    first.popen.kill()  # SIGKILL: no cleanup can run
    first.popen.wait(10)
    services = {name: pid for name, pid in pids.items() if name != "dbinit"}
    assert all(alive(pid) for pid in services.values()), "children should survive SIGKILL"
    assert first.run_dir.exists()

    second = _up(harness_up)
    wait_for(lambda: not any(alive(pid) for pid in services.values()), timeout=5)
    assert not first.run_dir.exists()
    assert second.run_dir.exists() and second.run_dir != first.run_dir
    second.popen.send_signal(signal.SIGINT)
    assert second.popen.wait(15) == 0


@pytest.mark.skipif(
    shutil.which("harness") is None and not Path(sys.executable).with_name("harness").exists(),
    reason="harness entry point not installed",
)
def test_real_harness_up_with_real_target(harness_up: list[UpRun]) -> None:
    entry = shutil.which("harness") or str(Path(sys.executable).with_name("harness"))
    run = _start([entry, "up", "--time-scale", "60"])
    harness_up.append(run)
    run.read_until("Press Ctrl-C to stop.")
    pids = run.child_pids()
    assert httpx.get(run.urls["API"] + "/metrics", trust_env=False).status_code == 200
    run.popen.send_signal(signal.SIGINT)
    assert run.popen.wait(15) == 0
    assert not any(alive(pid) for pid in pids.values())


def test_harness_up_on_postgres(harness_up: list[UpRun]) -> None:
    """`harness up --database postgres`: the target on a PostgreSQL of the stack's own,
    stopped with the rest by Ctrl-C."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("no PostgreSQL server (Debian's postgresql; `make bootstrap` installs it)")
    entry = shutil.which("harness") or str(Path(sys.executable).with_name("harness"))
    run = _start([entry, "up", "--time-scale", "60", "--database", "postgres"])
    harness_up.append(run)
    run.read_until("Press Ctrl-C to stop.", timeout=90)
    pids = run.child_pids()
    assert "postgres" in pids, pids
    health = httpx.get(run.urls["API"] + "/health", trust_env=False, timeout=10)
    assert health.status_code == 200, health.text
    run.popen.send_signal(signal.SIGINT)
    assert run.popen.wait(30) == 0
    assert not any(alive(pid) for pid in pids.values())


def test_up_prints_a_random_token_that_guards_the_inbox(harness_up: list[UpRun]) -> None:
    run = _up(harness_up)
    token = run.urls["Fault token"].split()[0]
    assert len(token) >= 20 and token != "harness-fault-token"
    inbox = run.urls["Receiver inbox"]
    assert httpx.get(inbox, trust_env=False).status_code == 401
    answer = httpx.get(inbox, headers={"X-Fault-Token": token}, trust_env=False)
    assert answer.status_code == 200 and answer.json()["notifications"] == []
    config = run.run_dir / "alertmanager" / "alertmanager.yml"  # real keys in it: private
    assert config.stat().st_mode & 0o777 == 0o600
    run.popen.send_signal(signal.SIGINT)
    assert run.popen.wait(15) == 0
    assert not config.exists()
