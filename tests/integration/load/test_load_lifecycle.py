"""Every Locust run ends: on an exception in the caller, at its hard deadline, on a broken
locustfile. And the FaultClient against the real target's fault control."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest
from load_target import Target

from harness.load import FaultClient, FaultControlError, LoadError, LocustConfig, LocustRun
from harness.load.run import TIMEOUT_EXIT, marked_processes

pytestmark = pytest.mark.integration

# Nothing listens there: these runs never need the target.
IDLE_HOST = "http://127.0.0.1:9"


def _gone(pids: list[int]) -> bool:
    return all(not psutil.pid_exists(p) or psutil.Process(p).status() == "zombie" for p in pids)


def test_an_exception_in_the_caller_tears_everything_down(tmp_path: Path) -> None:
    cfg = LocustConfig(host=IDLE_HOST, web_ui=True, workers=1, max_duration=60)
    run = LocustRun(cfg, tmp_path)
    with pytest.raises(RuntimeError, match="boom"), run:
        run.wait_ready()
        pids = run.pids
        assert len(pids) == 2
        raise RuntimeError("boom")
    assert _gone(pids)
    assert marked_processes(str(run.out_dir)) == []


def test_the_hard_deadline_ends_a_run_nobody_stops(tmp_path: Path) -> None:
    # A web UI run has no --run-time: only the deadline (coreutils timeout) ends it.
    cfg = LocustConfig(host=IDLE_HOST, web_ui=True, max_duration=3)
    started = time.monotonic()
    with LocustRun(cfg, tmp_path) as run:
        with pytest.raises(LoadError, match="did not stop by itself"):
            run.wait(timeout=20)
        assert run.master is not None and run.master.poll() == TIMEOUT_EXIT
    assert time.monotonic() - started < 15


def test_a_broken_locustfile_is_reported_with_its_log(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise ImportError('no such thing')\n")
    cfg = LocustConfig(host=IDLE_HOST, locustfiles=(broken,), run_time=5)
    with pytest.raises(LoadError, match="exited") as info, LocustRun(cfg, tmp_path / "run") as run:
        run.wait()
    assert "no such thing" in str(info.value)


def test_fault_client_against_the_target(target: Target) -> None:
    with FaultClient(target.api, "wrong") as bad, pytest.raises(FaultControlError, match="401"):
        bad.get()
    with FaultClient(target.api, target.token) as faults:
        try:
            state = faults.set({"latency": {"ratio": 0.5, "seconds": 0.2}})
            assert state["latency"]["seconds"] == 0.2 and state["errors"]["ratio"] == 0.0
            with pytest.raises(FaultControlError, match=r"errors\.ratio"):
                faults.set({"errors": {"ratio": 3}})
            with pytest.raises(FaultControlError, match="rejected"):
                faults.set({"no_such_section": {}})
            assert faults.get()["latency"]["seconds"] == 0.2  # a rejected state changes nothing
            assert faults.backlog("notifications", 5)["queued"] == 5
            assert faults.poison(3, event_type="AttendanceMarked")["published"] == 3
            with pytest.raises(FaultControlError, match="job_type"):
                faults.backlog("reports", 1, job_type="send_email")
        finally:
            faults.reset()
        assert faults.get()["latency"]["seconds"] == 0.0
