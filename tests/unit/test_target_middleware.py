"""HTTP metrics middleware: route templates, labels, the active gauge, exclusions, faults."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException
from prometheus_client import CollectorRegistry

from harness.target.fault_state import Faults, merge_patch
from harness.target.metrics import TargetMetrics
from harness.target.middleware import MetricsMiddleware, RouteTable
from tests.support.target import TEACHER, asgi_client, make_app, run


def _app(faults: Faults | None = None) -> tuple[FastAPI, CollectorRegistry, asyncio.Event]:
    app = FastAPI()
    release = asyncio.Event()

    @app.get("/api/students/{id}")
    async def student(id: int) -> dict[str, int]:
        return {"id": id}

    @app.get("/api/schools")
    async def schools() -> list[str]:
        return []

    @app.get("/api/slow")
    async def slow() -> str:
        await release.wait()
        return "done"

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/api/teapot")
    async def teapot() -> None:
        raise HTTPException(418)

    @app.get("/metrics")
    async def metrics() -> str:
        return ""

    @app.get("/health")
    async def health() -> str:
        return "ok"

    registry = CollectorRegistry()
    app.add_middleware(MetricsMiddleware, metrics=TargetMetrics(registry), faults=faults)
    return app, registry, release


def _count(registry: CollectorRegistry, **labels: str) -> float | None:
    return registry.get_sample_value("http_requests_total", labels)


def test_route_template_not_raw_path_and_tenant_label() -> None:
    app, registry, _ = _app()

    async def go() -> None:
        async with asgi_client(app) as c:
            assert (await c.get("/api/students/42", headers={"X-Tenant-Id": "t9"})).json() == {
                "id": 42
            }
            await c.get("/api/students/43")

    run(go())
    labels = {"method": "GET", "route": "/api/students/{id}", "status_code": "200"}
    assert _count(registry, **labels, tenant_id="t9") == 1
    assert _count(registry, **labels, tenant_id="anonymous") == 1
    assert registry.get_sample_value("http_request_duration_seconds_count", labels) == 2
    text = "\n".join(str(s) for f in registry.collect() for s in f.samples)
    assert "/api/students/42" not in text


def test_unmatched_405_errors_and_exclusions() -> None:
    app, registry, _ = _app()

    async def go() -> None:
        async with asgi_client(app, raise_app_exceptions=False) as c:
            assert (await c.get("/nope")).status_code == 404
            assert (await c.delete("/api/schools")).status_code == 405
            assert (await c.get("/api/teapot")).status_code == 418
            assert (await c.get("/api/boom")).status_code == 500
            await c.get("/metrics")
            await c.get("/health")

    run(go())
    anon = {"tenant_id": "anonymous"}
    assert _count(registry, method="GET", route="unknown", status_code="404", **anon) == 1
    assert _count(registry, method="DELETE", route="/api/schools", status_code="405", **anon)
    assert _count(registry, method="GET", route="/api/teapot", status_code="418", **anon) == 1
    assert _count(registry, method="GET", route="/api/boom", status_code="500", **anon) == 1
    routes = {
        s.labels["route"]
        for f in registry.collect()
        for s in f.samples
        if s.name == "http_requests_total"
    }
    assert routes == {"unknown", "/api/schools", "/api/teapot", "/api/boom"}
    active = {"method": "GET", "route": "/api/boom"}
    assert registry.get_sample_value("http_active_requests", active) == 0


def test_active_requests_counts_in_flight_and_returns_to_zero() -> None:
    app, registry, release = _app()
    labels = {"method": "GET", "route": "/api/slow"}

    async def go() -> list[float | None]:
        seen = []
        async with asgi_client(app) as c:
            tasks = [asyncio.create_task(c.get("/api/slow")) for _ in range(3)]
            for _ in range(200):  # until all three are inside the endpoint
                if registry.get_sample_value("http_active_requests", labels) == 3:
                    break
                await asyncio.sleep(0.005)
            seen.append(registry.get_sample_value("http_active_requests", labels))
            release.set()
            await asyncio.gather(*tasks)
        seen.append(registry.get_sample_value("http_active_requests", labels))
        return seen

    assert run(go()) == [3, 0]


def test_error_and_latency_faults_are_measured() -> None:
    faults = Faults(seed=3)
    faults.set(
        merge_patch(
            faults.state,
            {
                "errors": {"ratio": 1.0, "routes": ["/api/schools"], "status": 502},
                "latency": {"ratio": 1.0, "routes": ["/api/students/{id}"], "seconds": 0.06},
            },
        )
    )
    app, registry, _ = _app(faults)

    async def go() -> None:
        async with asgi_client(app) as c:
            r = await c.get("/api/schools")
            assert r.status_code == 502 and r.json()["error"] == "injected fault"
            assert (await c.get("/api/students/1")).status_code == 200

    run(go())
    anon = {"tenant_id": "anonymous"}
    assert _count(registry, method="GET", route="/api/schools", status_code="502", **anon) == 1
    slow = {"method": "GET", "route": "/api/students/{id}", "status_code": "200"}
    assert (
        registry.get_sample_value("http_request_duration_seconds_bucket", {**slow, "le": "0.05"})
        == 0
    )
    assert registry.get_sample_value("http_request_duration_seconds_count", slow) == 1


def test_route_table_prefers_full_match_over_partial() -> None:
    app = FastAPI()

    @app.post("/api/items/{id}")
    async def post_item(id: str) -> None: ...

    @app.get("/api/items/special")
    async def special() -> None: ...

    @app.get("/api/items/{id}")
    async def get_item(id: str) -> None: ...

    table = RouteTable(list(app.routes))
    assert table.match("GET", "/api/items/special") == "/api/items/special"
    assert table.match("GET", "/api/items/7") == "/api/items/{id}"
    assert table.match("DELETE", "/api/items/7") == "/api/items/{id}"
    assert table.match("GET", "/elsewhere") == "unknown"


def test_real_app_routes_db_metrics_and_request_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, registry = make_app(tmp_path)

    async def go() -> None:
        async with asgi_client(app, headers=TEACHER) as c:
            students = (await c.get("/api/students", params={"limit": 2})).json()
            assert (await c.get(f"/api/students/{students[0]['id']}")).status_code == 200
            assert (await c.get("/api/students/99999")).status_code == 404
            r = await c.post(
                "/api/grades",
                json={"student_id": 1, "class_id": 1, "score": 90, "subject": "Math"},
            )
            assert r.status_code == 503  # Redis is not there; the grade is committed
            assert (await c.get("/api/schools", headers={"X-User-Id": ""})).status_code == 401

    with caplog.at_level(logging.ERROR, logger="harness.target.http"):
        run(go())
    t1 = {"method": "GET", "route": "/api/students/{id}", "tenant_id": "tenant-1"}
    assert _count(registry, **t1, status_code="200") == 1
    assert _count(registry, **t1, status_code="404") == 1
    ok = {"model": "students", "status": "success"}
    assert registry.get_sample_value("db_queries_total", {**ok, "operation": "findUnique"}) == 2
    assert registry.get_sample_value("db_queries_total", {**ok, "operation": "findMany"}) == 1
    assert registry.get_sample_value(
        "db_queries_total", {"model": "grades", "operation": "create", "status": "success"}
    )
    failed = [r for r in caplog.records if r.getMessage() == "request failed"]
    assert len(failed) == 1
    fields = getattr(failed[0], "fields", {})
    assert fields["status_code"] == 503 and fields["error"].startswith("redis:")
    json.dumps(fields)
