"""`harness promtool-test --live` leaves nothing behind: its Prometheus and Alertmanager
are in a run marker like a stack's, so after `kill -KILL` the next harness command that
starts a process sweeps them, and SIGTERM stops them at once (exit 143). Found by hand: a
live replay killed by `timeout` left both running, parented to init, with no marker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import PROJECT_DIR, STATE_DIR
from harness.stack.process import group_members
from harness.stack.rundir import MARKER
from tests.support.poll import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

THANOS = PROJECT_DIR / "tests" / "data" / "promtool-suites" / "thanos-io+thanos" / "tests.yaml"


def _replay(tmp_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "promtool-test", str(THANOS),
         "--live", "60", "--allow-beyond-series", "--no-offline",
         "--work-dir", str(tmp_path / "work")],
        cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: the only one this test signals
    )


def _live_groups(owner: int) -> dict[str, int] | None:
    """The process groups of the replay's Prometheus and Alertmanager, once both run."""
    groups: dict[str, int] = {}
    for path in STATE_DIR.glob(f"promtool-*/{MARKER}"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # being replaced, or another run's
        if data["owner"]["pid"] == owner:
            groups.update({c["name"]: c["pgid"] for c in data["children"]})
    return groups if {"prometheus", "alertmanager"} <= set(groups) else None


def _gone(groups: dict[str, int]) -> bool:
    return not any(group_members(g) for g in groups.values())


def test_a_killed_replay_is_swept_by_the_next_command(tmp_path: Path) -> None:
    replay = _replay(tmp_path)
    try:
        groups = wait_until(lambda: _live_groups(replay.pid), timeout=60,
                            what="the replay's marker listing Prometheus and Alertmanager")
    finally:
        os.killpg(replay.pid, signal.SIGKILL)
        replay.wait()
    assert not _gone(groups)  # orphans: what the sweep is for
    # The next command that starts a process (here the offline leg) sweeps first.
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "promtool-test", str(THANOS)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    wait_until(lambda: _gone(groups), timeout=10, what="the killed replay's processes gone")


def test_sigterm_stops_the_replay_and_its_processes(tmp_path: Path) -> None:
    replay = _replay(tmp_path)
    try:
        groups = wait_until(lambda: _live_groups(replay.pid), timeout=60,
                            what="the replay's marker listing Prometheus and Alertmanager")
        replay.send_signal(signal.SIGTERM)
        assert replay.wait(30) == 128 + signal.SIGTERM
    finally:
        if replay.poll() is None:
            os.killpg(replay.pid, signal.SIGKILL)
            replay.wait()
    wait_until(lambda: _gone(groups), timeout=10, what="the replay's processes gone")
