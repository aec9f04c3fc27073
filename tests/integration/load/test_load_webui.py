"""The Locust web UI against the real target, driven through its HTTP API, including the
fault controls of its start form."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from load_target import Target

from harness.load import LocustConfig, LocustRun
from harness.load.command import DEFAULT_LOCUSTFILE, SHAPES_FILE
from tests.support.poll import wait_until

pytestmark = pytest.mark.integration


def _template_args(page: str) -> dict[str, Any]:
    match = re.search(r"window\.templateArgs = (.*)$", page, re.MULTILINE)
    assert match, "no templateArgs in the web UI page"
    return dict(json.loads(match.group(1)))


def _rows(ui: httpx.Client) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in ui.get("/stats/requests").json()["stats"]}


@pytest.mark.usefixtures("clean_faults")
def test_web_ui_swarm_stats_stop_with_fault_controls(target: Target, tmp_path: Path) -> None:
    cfg = LocustConfig(host=target.api, users=1, spawn_rate=1, web_ui=True, max_duration=120)
    with LocustRun(cfg, tmp_path) as run:
        run.wait_ready()
        ui = httpx.Client(base_url=run.web_url, timeout=5)
        # The fault options are part of the start form (the page's templateArgs).
        extra = _template_args(ui.get("/").text)["extra_options"]
        assert {"fault_errors_ratio", "fault_latency_seconds", "fault_token"} <= set(extra)
        assert extra["fault_token"]["is_secret"] is True
        assert extra["fault_worker_mode"]["choices"] == ["normal", "stuck"]

        form = {
            "user_count": 4, "spawn_rate": 4, "host": target.api, "think_time": 0.2,
            "fault_token": target.token, "fault_errors_ratio": 1.0,
            "fault_errors_routes": "/api/students/{id}",
        }
        answer = ui.post("/swarm", data=form).json()
        assert answer["success"] is True, answer
        # The form's fault is on in the target while the test runs ...
        assert target.faults()["errors"]["ratio"] == 1.0
        rows = wait_until(
            lambda: (r := _rows(ui)).get("/api/students/{id}", {}).get("num_failures") and r,
            what="requests and fault failures in /stats/requests", timeout=15,
        )
        assert rows["/api/students/{id}"]["method"] == "GET"
        assert all(r["num_failures"] == 0 for n, r in rows.items()
                   if n not in ("/api/students/{id}", "Aggregated"))
        assert rows["Aggregated"]["num_requests"] > 0

        assert ui.post("/stop").json()["success"] is True
        wait_until(lambda: _state(ui) == "stopped", what="state 'stopped'", timeout=15)
        # ... and reset when it stops.
        wait_until(lambda: target.faults()["errors"]["ratio"] == 0.0, what="faults reset")
    assert not run.is_running()
    # A clean shutdown on stop() still writes the final statistics.
    assert run.result().stats.endpoint("/api/students/{id}").failures > 0


def test_wrong_fault_token_in_the_form_stops_the_test(target: Target, tmp_path: Path) -> None:
    cfg = LocustConfig(host=target.api, users=1, spawn_rate=1, web_ui=True, max_duration=60)
    with LocustRun(cfg, tmp_path) as run:
        run.wait_ready()
        ui = httpx.Client(base_url=run.web_url, timeout=5)
        form = {"user_count": 2, "spawn_rate": 2, "host": target.api,
                "fault_token": "wrong", "fault_errors_ratio": 0.5}
        assert ui.post("/swarm", data=form).json()["success"] is True
        wait_until(lambda: _state(ui) == "stopped", what="state 'stopped'", timeout=15)
        exceptions = ui.get("/exceptions").json()["exceptions"]
        assert any("refused the fault token (401)" in e["msg"] for e in exceptions)
    assert target.faults()["errors"]["ratio"] == 0.0


@pytest.mark.usefixtures("clean_faults")
def test_web_ui_drill_shape_switches_the_forms_fault(target: Target, tmp_path: Path) -> None:
    """shapes.py without a plan file: warm-up, steady, fault (the form's), recovery."""
    cfg = LocustConfig(host=target.api, web_ui=True, max_duration=120,
                       locustfiles=(DEFAULT_LOCUSTFILE, SHAPES_FILE))
    with LocustRun(cfg, tmp_path) as run:
        run.wait_ready()
        ui = httpx.Client(base_url=run.web_url, timeout=5)
        assert "drill_seconds" in _template_args(ui.get("/").text)["extra_options"]
        form = {"user_count": 4, "spawn_rate": 4, "host": target.api, "think_time": 0.2,
                "drill_seconds": "1,2,3,2", "fault_token": target.token,
                "fault_latency_seconds": 0.05, "fault_latency_routes": "/api/schools"}
        assert ui.post("/swarm", data=form).json()["success"] is True
        latency = lambda: target.faults()["latency"]["seconds"]  # noqa: E731
        wait_until(lambda: latency() == 0.05, what="the fault phase", timeout=15)
        wait_until(lambda: latency() == 0.0, what="recovery", timeout=15)
        wait_until(lambda: _state(ui) == "stopped", what="end of the drill", timeout=15)
    marks = run.result().stats.phases
    assert [m.name for m in marks] == ["warm-up", "steady", "fault", "recovery", "end"]
    assert marks[0].extra["users"] == 2 and marks[1].extra["users"] == 4
    assert marks[2].faults == {"latency": {"seconds": 0.05, "ratio": 1.0, "distribution": "fixed",
                                           "routes": ["/api/schools"]}}


def _state(ui: httpx.Client) -> str:
    return str(ui.get("/stats/requests").json()["state"])
