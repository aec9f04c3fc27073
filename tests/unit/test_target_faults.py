"""Fault model validation, draws, and the token-protected /faults endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from harness.target.fault_state import BacklogRequest, Faults, FaultState, merge_patch
from tests.support.target import UNIT_TOKEN, asgi_client, closed_port, make_app, run


def _faults(patch: dict[str, Any], seed: int = 5) -> Faults:
    f = Faults(seed)
    f.set(merge_patch(f.state, patch))
    return f


@pytest.mark.parametrize(
    "patch",
    [
        {"errors": {"ratio": 1.5}},
        {"errors": {"status": 404}},
        {"errors": {"ratoi": 0.5}},
        {"latency": {"distribution": "pareto"}},
        {"slow_db": {"seconds": -1}},
        {"worker": {"mode": "sleepy"}},
        {"notifications": {"fail_ratio": {"fax": 0.5}}},
        {"notifications": {"fail_ratio": {"sms": 2}}},
        {"interventions": {"handler_fail_ratio": -0.1}},
        {"chaos": {}},
    ],
)
def test_invalid_patches_are_rejected(patch: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        merge_patch(FaultState(), patch)


def test_patch_merges_field_by_field() -> None:
    s = merge_patch(FaultState(), {"errors": {"ratio": 0.2, "routes": ["/api/grades"]}})
    s = merge_patch(s, {"errors": {"status": 503}, "worker": {"mode": "stuck"}})
    assert (s.errors.ratio, s.errors.routes, s.errors.status) == (0.2, ["/api/grades"], 503)
    assert s.worker.mode == "stuck"


def test_backlog_job_type_must_belong_to_the_queue() -> None:
    assert BacklogRequest(queue="reports", jobs=3).job_type is None
    with pytest.raises(ValidationError):
        BacklogRequest(queue="reports", jobs=3, job_type="send_sms")
    with pytest.raises(ValidationError):
        BacklogRequest(queue="notifications", jobs=0)


def test_http_faults_apply_to_their_routes_only() -> None:
    f = _faults({"errors": {"ratio": 1.0, "routes": ["/api/grades"], "status": 504}})
    assert f.http_active
    assert f.http_error("/api/grades") == 504
    assert f.http_error("/api/schools") is None
    everywhere = _faults({"errors": {"ratio": 1.0}})
    assert everywhere.http_error("/api/schools") == 500
    assert everywhere.http_error("unknown") is None  # only /api routes
    assert not Faults().http_active


def test_error_ratio_is_a_per_request_draw() -> None:
    f = _faults({"errors": {"ratio": 0.25}})
    hits = sum(f.http_error("/api/x") is not None for _ in range(4000))
    assert 850 < hits < 1150


def test_latency_distributions() -> None:
    fixed = _faults({"latency": {"ratio": 1.0, "seconds": 0.2}})
    assert fixed.http_delay("/api/x") == 0.2
    uniform = _faults({"latency": {"ratio": 1.0, "seconds": 0.2, "distribution": "uniform"}})
    assert all(0.1 <= uniform.http_delay("/api/x") <= 0.3 for _ in range(200))
    tail = _faults(
        {
            "latency": {
                "ratio": 1.0,
                "seconds": 0.1,
                "distribution": "tail",
                "tail_seconds": 3.0,
                "tail_ratio": 0.1,
            }
        }
    )
    delays = [tail.http_delay("/api/x") for _ in range(2000)]
    assert set(delays) == {0.1, 3.0}
    assert 120 < delays.count(3.0) < 280
    lognormal = _faults({"latency": {"ratio": 1.0, "seconds": 0.2, "distribution": "lognormal"}})
    samples = sorted(lognormal.http_delay("/api/x") for _ in range(2001))
    assert 0.17 < samples[1000] < 0.23  # median = seconds


def test_worker_side_faults() -> None:
    f = _faults(
        {
            "worker": {"mode": "stuck"},
            "notifications": {"fail_ratio": {"sms": 1.0}},
            "interventions": {"handler_fail_ratio": 1.0},
            "slow_db": {"seconds": 0.5, "ratio": 1.0, "models": ["grades"]},
        }
    )
    assert not f.running.is_set()
    assert f.notification_fails("sms") and not f.notification_fails("email")
    assert f.intervention_handler_fails()
    assert f.db_delay("grades") == 0.5 and f.db_delay("students") == 0.0
    f.reset()
    assert f.running.is_set() and not f.slow_db_active


# The endpoints


@pytest.mark.parametrize("headers", [{}, {"X-Fault-Token": "wrong"}])
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/faults"), ("PUT", "/faults"), ("DELETE", "/faults"), ("POST", "/faults/backlog")],
)
def test_fault_endpoints_need_the_token(
    tmp_path: Path, method: str, path: str, headers: dict[str, str]
) -> None:
    app, _ = make_app(tmp_path)

    async def go() -> int:
        async with asgi_client(app, headers=headers) as c:
            r = await c.request(method, path, json={"queue": "reports", "jobs": 1})
            return r.status_code

    assert run(go()) == 401


def test_empty_token_disables_fault_control(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, fault_token="")

    async def go() -> int:
        async with asgi_client(app, headers={"X-Fault-Token": ""}) as c:
            return (await c.get("/faults")).status_code

    assert run(go()) == 401


def test_put_get_delete(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)

    async def go() -> None:
        async with asgi_client(app, headers={"X-Fault-Token": UNIT_TOKEN}) as c:
            r = await c.put("/faults", json={"errors": {"ratio": 0.3}})
            assert r.status_code == 200 and r.json()["errors"]["ratio"] == 0.3
            r = await c.put("/faults", json={"latency": {"ratio": 1.0, "seconds": 2.0}})
            assert r.json()["errors"]["ratio"] == 0.3  # earlier sections stay
            r = await c.put("/faults", json={"errors": {"ratio": 3}})
            assert r.status_code == 422
            assert r.json()["detail"][0]["loc"] == ["errors", "ratio"]
            assert (await c.get("/faults")).json()["latency"]["seconds"] == 2.0
            assert (await c.delete("/faults")).json() == FaultState().model_dump()

    run(go())
    assert not app.state.faults.http_active


def test_unreachable_worker_control_changes_nothing(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, worker_control_url=f"http://127.0.0.1:{closed_port()}")

    async def go() -> None:
        async with asgi_client(app, headers={"X-Fault-Token": UNIT_TOKEN}) as c:
            r = await c.put("/faults", json={"worker": {"mode": "stuck"}})
            assert r.status_code == 502, r.text
            assert (await c.get("/faults")).json()["worker"]["mode"] == "normal"

    run(go())
