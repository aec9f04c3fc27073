"""/health semantics, JSON logs with request context, settings read from TARGET_*."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from harness.target.health import Check, health_response
from harness.target.logs import JsonFormatter, request_context
from harness.target.settings import Settings
from tests.support.target import asgi_client, make_app, run


async def _ok() -> None:
    return None


async def _fail() -> None:
    raise ConnectionError("down")


@pytest.mark.parametrize(
    ("db", "redis", "bus", "status", "code"),
    [
        (_ok, _ok, _ok, "healthy", 200),
        (_ok, _ok, _fail, "degraded", 503),
        (_fail, _ok, _ok, "unhealthy", 503),
        (_ok, _fail, _fail, "unhealthy", 503),  # unhealthy wins over degraded
    ],
)
def test_health_status(db: Check, redis: Check, bus: Check, status: str, code: int) -> None:
    r = run(health_response(time.monotonic(), database=db, redis=redis, eventbus=bus))
    body = json.loads(bytes(r.body))
    assert (body["status"], r.status_code) == (status, code)
    assert set(body["checks"]) == {"database", "redis", "eventbus"}
    assert {"timestamp", "uptime"} <= set(body)


def test_health_answers_promptly_with_redis_away(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)

    async def go() -> tuple[int, dict[str, str]]:
        async with asgi_client(app) as c:
            r = await c.get("/health")
            return r.status_code, r.json()["checks"]

    t0 = time.monotonic()
    code, checks = run(go())
    assert time.monotonic() - t0 < 2.0
    assert code == 503
    assert checks == {"database": "healthy", "redis": "unhealthy", "eventbus": "unhealthy"}


def test_json_log_line_carries_the_request_context() -> None:
    fmt = JsonFormatter("skillcore-api", "test")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Fetching student", None, None)
    record.fields = {"studentId": 7}
    token = request_context.set(("req-1", "user-1", "tenant-1", "GET", "/api/students/7"))
    try:
        line = json.loads(fmt.format(record))
    finally:
        request_context.reset(token)
    assert line["message"] == "Fetching student" and line["level"] == "info"
    assert line["service"] == "skillcore-api" and line["environment"] == "test"
    assert (line["requestId"], line["userId"], line["tenantId"]) == ("req-1", "user-1", "tenant-1")
    assert (line["method"], line["path"], line["studentId"]) == ("GET", "/api/students/7", 7)
    assert line["timestamp"].endswith("Z")
    outside = json.loads(fmt.format(record))
    assert "requestId" not in outside


def test_settings_come_from_target_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TARGET_TIME_SCALE", "60")
    monkeypatch.setenv("TARGET_QUEUE_COLLECT_INTERVAL", "0.5")
    monkeypatch.setenv("TARGET_WORKER_CONTROL_URL", "http://127.0.0.1:9")
    s = Settings()
    assert (s.time_scale, s.queue_collect_interval) == (60, 0.5)
    assert s.worker_control_url == "http://127.0.0.1:9"
    assert s.retry_idle_seconds == 0.5  # 30 s production idle / 60
    assert "service" not in Settings().model_fields_set
    monkeypatch.setenv("TARGET_SERVICE", "custom")
    assert "service" in Settings().model_fields_set
