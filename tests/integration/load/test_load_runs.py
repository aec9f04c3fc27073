"""Bounded headless Locust runs against the real target: Locust's ground truth agrees
with the API's own http_requests_total, workers leave nothing behind, phases switch faults.
"""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from load_target import Target

from harness.load import LocustConfig, LocustRun, Phase, marked_processes, run_load
from harness.load.command import STARTUP_GRACE
from harness.load.stats import live_history
from tests.support.poll import wait_until

pytestmark = pytest.mark.integration


def test_headless_run_matches_the_apis_own_counters(target: Target, tmp_path: Path) -> None:
    """Tolerance: per endpoint, 0 <= API count - Locust count <= users.

    Locust records a request when its response is complete; a request in flight when Locust
    stops (at most one per user) may reach the API's counter without reaching Locust's.
    """
    users = 8
    before = target.requests_by_route()
    result = run_load(
        LocustConfig(host=target.api, users=users, spawn_rate=8, run_time=8, think_time=0.3),
        tmp_path,
    )
    after = target.requests_by_route()
    stats = result.stats
    assert stats.complete and result.exit_code == 0
    assert stats.total.requests > 200
    assert stats.total.failures == 0, stats.failure_kinds
    expected = {
        ("GET", "/api/schools"), ("GET", "/api/classes"), ("GET", "/api/students"),
        ("GET", "/api/students/{id}"), ("POST", "/api/grades"), ("POST", "/api/attendance"),
    }
    assert expected <= set(stats.by_endpoint())
    for (method, name), ep in stats.by_endpoint().items():
        api_count = after.get((method, name), 0) - before.get((method, name), 0)
        assert ep.requests > 0 and ep.p95_ms is not None and ep.p99_ms is not None
        assert 0 <= api_count - ep.requests <= users, (method, name, api_count, ep.requests)
    # The 1 s history covers the run; per-second counts add up to the totals.
    assert len(stats.history) >= 6
    assert max(h.user_count for h in stats.history) == users
    assert sum(n for _, n, _ in stats.per_second()) == stats.total.requests


def test_load_workers_run_and_leave_no_process(target: Target, tmp_path: Path) -> None:
    cfg = LocustConfig(host=target.api, users=6, spawn_rate=6, run_time=6, think_time=0.3,
                       workers=2)
    run = LocustRun(cfg, tmp_path)
    with run:
        pids = run.pids
        assert len(pids) == 3
        result = run.wait()
    assert result.stats.total.requests > 50
    assert {"/api/grades", "/api/students/{id}"} <= {e.name for e in result.stats.endpoints}
    assert marked_processes(str(run.out_dir)) == []
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
    log = (tmp_path / "locust.log").read_text()
    assert "2 workers connected" in log or "workers connected" in log


@pytest.mark.usefixtures("clean_faults")
def test_phases_switch_faults_at_their_boundaries(target: Target, tmp_path: Path) -> None:
    phases = (
        Phase("warm-up", 3, 4, 4),
        Phase("fault", 4, 6, 6, {"errors": {"ratio": 1.0, "routes": ["/api/students/{id}"]}}),
        Phase("recovery", 4, 6, 6),
    )
    cfg = LocustConfig(host=target.api, phases=phases, think_time=0.2, fault_token=target.token)
    result = run_load(cfg, tmp_path)
    stats = result.stats
    assert [m.name for m in stats.phases] == ["warm-up", "fault", "recovery", "end"]
    fault, recovery = stats.phases[1], stats.phases[2]
    assert fault.faults_applied_at is not None and recovery.faults_applied_at is not None
    assert recovery.started_at - fault.started_at == pytest.approx(4, abs=1.1)
    # Failures only while the fault was on (a second of slack for response completion).
    by_second = stats.endpoint("/api/students/{id}").failures_per_second
    assert by_second, "the fault phase produced no failure"
    assert all(
        int(fault.faults_applied_at) <= t <= int(recovery.faults_applied_at) + 1 for t in by_second
    )
    assert stats.endpoint("/api/grades").failures == 0
    assert target.faults()["errors"] == {"ratio": 0.0, "routes": [], "status": 500}


def _live_user_counts(run: LocustRun) -> list[int]:
    """User counts in Locust's 1 s history so far (the CSV it appends to while running)."""
    return [p.user_count for p in live_history(run.out_dir)]


def test_follow_run_changes_users_when_the_harness_says(target: Target, tmp_path: Path) -> None:
    """A scenario phase with `users:` (a surge, a lull): LocustRun.set_users during a run."""
    cfg = LocustConfig(host=target.api, users=2, spawn_rate=20, run_time=60, think_time=0.3,
                       follow=True)
    run = LocustRun(cfg, tmp_path)
    with run:
        wait_until(lambda: 2 in _live_user_counts(run), what="2 users", timeout=20)
        run.set_users(9)
        wait_until(lambda: 9 in _live_user_counts(run), what="the surge to 9 users", timeout=20)
        run.set_users(3)
        wait_until(
            lambda: _live_user_counts(run)[-1:] == [3], what="the lull to 3 users", timeout=20
        )
        run.stop()
        result = run.result()
    counts = [p.user_count for p in result.stats.history]
    # In order: 2, then 9, then 3; never more than asked for.
    first_9, last_2 = counts.index(9), max(i for i, c in enumerate(counts) if c == 2)
    assert last_2 < first_9 < max(i for i, c in enumerate(counts) if c == 3)
    assert max(counts) == 9 and result.stats.total.requests > 0
    # Stopped through the shape, Locust shut down cleanly and wrote its final JSON.
    assert result.stats.complete and result.exit_code == 0
    assert marked_processes(str(run.out_dir)) == []


def test_follow_run_ends_by_itself_at_its_run_time(target: Target, tmp_path: Path) -> None:
    """Locust ignores --run-time while a shape runs: the follow shape must end the run."""
    cfg = LocustConfig(host=target.api, users=2, spawn_rate=20, run_time=4, think_time=0.3,
                       follow=True)
    result = run_load(cfg, tmp_path)
    assert result.exit_code == 0 and result.duration < 4 + STARTUP_GRACE
    assert result.stats.total.requests > 0
