"""Each fault kind a scenario can inject, applied through the engine's FaultApplier against
one local stack, and its effect shown in the target's own metrics (its /metrics pages,
or Prometheus where the scrape itself is the point).

Traffic is direct httpx calls, counted exactly; ratios are checked against binomial
tolerances stated beside each test (about 3 standard deviations).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import psutil
import pytest
from fault_helpers import (
    Scrape,
    first_ids,
    holds_for,
    metric,
    parallel,
    prom_value,
    statuses,
    wait_until,
)

from harness.engine.fault_injection import FaultApplier
from harness.errors import StackError
from harness.observe.prometheus import PrometheusClient
from harness.scenarios import fault_kinds as sf
from harness.stack.base import Stack

pytestmark = pytest.mark.integration

COMPLETED = {"status": "completed"}
WORKER_CONCURRENCY = 10  # the target's default: jobs a stuck worker holds active per queue


def _worker(stack: Stack) -> str:
    return stack.endpoints.worker_metrics.removesuffix("/metrics")


def _post_notifications(api: httpx.Client, recipient: int, channel: str, n: int) -> None:
    body = {"recipient_id": recipient, "channel": channel, "type": "report_card", "message": "Hi"}
    codes = statuses(parallel(lambda _: api.post("/api/notifications", json=body), range(n)))
    assert codes == {202: n}, codes


def _waiting(prom: PrometheusClient, queue: str) -> float | None:
    return prom_value(prom, f'bullmq_queue_waiting_total{{job="api",queue="{queue}"}}')


def _up(prom: PrometheusClient, job: str) -> float | None:
    return prom_value(prom, f'up{{job="{job}"}}')


def test_errors_fail_the_chosen_share_of_chosen_routes(
    stack: Stack, api: httpx.Client, faults: FaultApplier
) -> None:
    # 300 draws at 0.3: sd 0.026, tolerance 0.08.
    ratio, n, tolerance = 0.3, 300, 0.08
    faults.apply([sf.ErrorsFault(kind="errors", ratio=ratio, routes=("/api/schools",))])
    before = Scrape.of(stack.endpoints.api)
    schools = statuses(parallel(lambda _: api.get("/api/schools"), range(n)))
    classes = statuses(parallel(lambda _: api.get("/api/classes"), range(50)))
    after = Scrape.of(stack.endpoints.api)

    def delta(route: str, status: str | None = None) -> float:
        labels = {"route": route, **({"status_code": status} if status else {})}
        return after.value("http_requests_total", **labels) - before.value(
            "http_requests_total", **labels
        )

    assert delta("/api/schools") == n
    share = delta("/api/schools", "500") / n
    assert abs(share - ratio) <= tolerance, f"5xx share {share:.3f}, want {ratio} ± {tolerance}"
    assert delta("/api/schools", "500") == schools.get(500, 0)  # what the clients saw
    assert classes == {200: 50} and delta("/api/classes", "500") == 0  # other routes untouched


def test_latency_tail_shows_in_the_duration_histogram(
    stack: Stack, api: httpx.Client, faults: FaultApplier
) -> None:
    # tail: 25% of requests take 1.3 s (the (1, 2] bucket), the rest 20 ms more.
    n, tail_ratio, tolerance = 80, 0.25, 0.15  # sd 0.048
    route = "/api/students/{id}"
    fault = sf.LatencyFault(
        kind="latency",
        seconds=0.02,
        distribution="tail",
        tail_seconds=1.3,
        tail_ratio=tail_ratio,
        routes=(route,),
    )
    student = first_ids(api)["student"]
    faults.apply([fault])
    before = Scrape.of(stack.endpoints.api)
    codes = statuses(parallel(lambda _: api.get(f"/api/students/{student}"), range(n), 20))
    after = Scrape.of(stack.endpoints.api)
    assert codes == {200: n}

    def bucket(le: str) -> float:
        name = "http_request_duration_seconds_bucket"
        return after.value(name, route=route, le=le) - before.value(name, route=route, le=le)

    assert bucket("+Inf") == n
    tail = (bucket("2.0") - bucket("1.0")) / n
    fast = bucket("0.5") / n
    assert abs(tail - tail_ratio) <= tolerance, f"tail share {tail:.3f}"
    assert abs(fast - (1 - tail_ratio)) <= tolerance, f"share under 0.5 s {fast:.3f}"
    assert bucket("0.01") == 0  # every request got at least the 20 ms


def test_slow_db_slows_the_statement_itself(
    stack: Stack, api: httpx.Client, faults: FaultApplier
) -> None:
    n = 6
    faults.apply([sf.SlowDbFault(kind="slow_db", seconds=1.2, models=("schools",))])
    before = Scrape.of(stack.endpoints.api)
    started = time.monotonic()
    codes = statuses(parallel(lambda _: api.get("/api/schools"), range(n), n))
    elapsed = time.monotonic() - started
    fast = api.get("/api/classes")  # another table: not slowed
    after = Scrape.of(stack.endpoints.api)
    assert codes == {200: n} and fast.status_code == 200
    assert elapsed >= 1.2

    def delta(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    hist = "db_query_duration_seconds_bucket"
    slowed = delta(hist, model="schools", le="5.0") - delta(hist, model="schools", le="1.0")
    assert slowed == n, f"{slowed} schools statements in (1, 5], want {n}"
    assert delta(hist, model="classes", le="1.0") == delta(hist, model="classes", le="+Inf") >= 1


def test_stuck_worker_completes_nothing_while_waiting_grows(
    stack: Stack, api: httpx.Client, prom: PrometheusClient, faults: FaultApplier
) -> None:
    n = 30
    worker = _worker(stack)
    recipient = first_ids(api)["student"]
    faults.apply([sf.WorkerStuckFault(kind="worker_stuck")])
    done = metric(worker, "bullmq_jobs_total", **COMPLETED)
    _post_notifications(api, recipient, "email", n)
    # The stuck worker holds its concurrency's worth active; the rest wait.
    wait_until(
        lambda: (_waiting(prom, "notifications") or 0) >= n - WORKER_CONCURRENCY,
        what="waiting notifications to grow in Prometheus",
    )

    def stalled() -> bool:
        page = Scrape.of(worker)  # the worker's /metrics still answers...
        return page.value("bullmq_jobs_total", **COMPLETED) == done  # ...and nothing completes

    holds_for(stalled, seconds=2.0, what="no completed job on a stuck worker")
    assert _up(prom, "worker") == 1
    assert (_waiting(prom, "notifications") or 0) >= n - WORKER_CONCURRENCY

    faults.revert()
    wait_until(
        lambda: metric(worker, "bullmq_jobs_total", **COMPLETED) >= done + n,
        what="the held jobs to complete once the worker runs again",
    )


def test_frozen_worker_is_not_scraped_and_jobs_wait(
    stack: Stack, api: httpx.Client, prom: PrometheusClient, faults: FaultApplier
) -> None:
    n = 12
    recipient = first_ids(api)["student"]
    faults.apply([sf.WorkerFrozenFault(kind="worker_frozen")])
    with pytest.raises(httpx.TimeoutException):
        httpx.get(stack.endpoints.worker_metrics, timeout=0.5, trust_env=False)
    wait_until(lambda: _up(prom, "worker") == 0, what='up{job="worker"} == 0')
    waiting = _waiting(prom, "notifications") or 0
    _post_notifications(api, recipient, "email", n)
    wait_until(
        lambda: _waiting(prom, "notifications") == waiting + n,
        what=f"{n} more waiting notifications (a frozen worker takes none)",
    )
    assert _up(prom, "api") == 1

    faults.revert()
    wait_until(lambda: _up(prom, "worker") == 1, what='up{job="worker"} back to 1')
    wait_until(lambda: _waiting(prom, "notifications") == 0, what="the queue to drain")


def test_dead_worker_is_gone_until_started_again(
    stack: Stack, api: httpx.Client, prom: PrometheusClient, faults: FaultApplier
) -> None:
    n = 12
    recipient = first_ids(api)["student"]
    pid = stack.pids()["worker"]
    faults.apply([sf.WorkerDeadFault(kind="worker_dead")])
    assert "worker" not in stack.pids() and not psutil.pid_exists(pid)
    wait_until(lambda: _up(prom, "worker") == 0, what='up{job="worker"} == 0')
    _post_notifications(api, recipient, "email", n)
    wait_until(
        lambda: (_waiting(prom, "notifications") or 0) >= n,
        what=f"{n} waiting notifications with no worker",
    )

    faults.revert()  # start_service("worker")
    assert stack.pids()["worker"] != pid
    wait_until(lambda: _up(prom, "worker") == 1, what='up{job="worker"} back to 1')
    # A fresh process: its counters start at zero and count the backlog it works off.
    wait_until(
        lambda: metric(_worker(stack), "bullmq_jobs_total", **COMPLETED) >= n,
        what=f"the new worker to complete the {n} waiting jobs",
    )


def test_queue_backlog_jumps_waiting_by_its_size(
    stack: Stack, prom: PrometheusClient, faults: FaultApplier
) -> None:
    # The worker is frozen first, so nothing drains and the jump is exact.
    n = 150
    waiting = _waiting(prom, "reports") or 0
    faults.apply(
        [
            sf.WorkerFrozenFault(kind="worker_frozen"),
            sf.QueueBacklogFault(kind="queue_backlog", jobs=n, queue="reports"),
        ]
    )
    wait_until(
        lambda: _waiting(prom, "reports") == waiting + n,
        what=f"bullmq_queue_waiting_total{{queue='reports'}} to jump by {n}",
    )
    faults.revert()
    wait_until(lambda: _waiting(prom, "reports") == 0, timeout=20, what="the backlog to drain")


def test_dlq_flood_dead_letters_every_poison_event(stack: Stack, faults: FaultApplier) -> None:
    n, attempts = 5, 3  # EVENTBUS_MAX_ATTEMPTS
    worker = _worker(stack)
    event = {"event_type": "AttendanceMarked"}
    failed = {**event, "handler": "attendanceMonitor", "status": "failed"}
    before = Scrape.of(worker)
    faults.apply([sf.DlqFloodFault(kind="dlq_flood", events=n, event_type="AttendanceMarked")])
    wait_until(
        lambda: (
            metric(worker, "eventbus_dlq_total", **event)
            >= before.value("eventbus_dlq_total", **event) + n
        ),
        what=f"{n} dead-lettered AttendanceMarked events",
    )
    wait_until(
        lambda: (
            metric(stack.endpoints.api, "eventbus_queue_depth", consumer_group="attendanceMonitor")
            == 0
        ),
        what="the attendanceMonitor group to have no pending entry",
    )
    after = Scrape.of(worker)
    assert (
        after.value("eventbus_dlq_total", **event) - before.value("eventbus_dlq_total", **event)
        == n
    )
    tries = after.value("eventbus_consumed_total", **failed) - before.value(
        "eventbus_consumed_total", **failed
    )
    assert tries == n * attempts, f"{tries} failed handler attempts, want {n} x {attempts}"


def test_notification_failures_hit_only_the_chosen_channel(
    stack: Stack, api: httpx.Client, faults: FaultApplier
) -> None:
    # 60 sms at 0.5: sd 0.065, tolerance 0.2.
    n_sms, n_email, ratio, tolerance = 60, 15, 0.5, 0.2
    worker = _worker(stack)
    recipient = first_ids(api)["student"]
    faults.apply(
        [sf.NotificationFailuresFault(kind="notification_failures", ratio=ratio, channels=("sms",))]
    )
    before = Scrape.of(worker)
    _post_notifications(api, recipient, "sms", n_sms)
    _post_notifications(api, recipient, "email", n_email)

    def sent(page: Scrape, channel: str, status: str | None = None) -> float:
        labels: dict[str, Any] = {"channel": channel, "type": "report_card"}
        if status:
            labels["status"] = status
        return page.value("notifications_sent_total", **labels) - before.value(
            "notifications_sent_total", **labels
        )

    page = wait_until(
        lambda: (
            p
            if sent(p := Scrape.of(worker), "sms") == n_sms and sent(p, "email") == n_email
            else None
        ),
        what="every notification delivered or failed",
    )
    share = sent(page, "sms", "failed") / n_sms
    assert abs(share - ratio) <= tolerance, f"sms failure share {share:.3f}"
    assert sent(page, "email", "failed") == 0
    failed_jobs = page.value("bullmq_queue_failed_total", job_type="send_sms") - before.value(
        "bullmq_queue_failed_total", job_type="send_sms"
    )
    assert failed_jobs == sent(page, "sms", "failed")


def test_intervention_handler_failures_are_counted_and_retried(
    stack: Stack, api: httpx.Client, faults: FaultApplier
) -> None:
    n, attempts = 2, 3
    worker = _worker(stack)
    student = first_ids(api)["student"]
    consumed = {"event_type": "InterventionCreated", "handler": "interventionFollowUp"}
    before = Scrape.of(worker)
    faults.apply([sf.InterventionFailuresFault(kind="intervention_failures", ratio=1.0)])
    for _ in range(n):
        r = api.post("/api/interventions", json={"student_id": student, "tier": 2, "reason": "x"})
        assert r.status_code == 201, r.text

    def delta(page: Scrape, name: str, **labels: str) -> float:
        return page.value(name, **labels) - before.value(name, **labels)

    page = wait_until(
        lambda: (
            p
            if delta(p := Scrape.of(worker), "eventbus_dlq_total", event_type="InterventionCreated")
            >= n
            else None
        ),
        what="the failing InterventionCreated events to be dead-lettered",
    )
    assert delta(page, "eventbus_consumed_total", **consumed, status="failed") == n * attempts
    assert delta(page, "eventbus_consumed_total", **consumed, status="success") == 0


def test_redis_down_fails_health_and_queue_routes_until_it_is_back(
    stack: Stack, api: httpx.Client, faults: FaultApplier
) -> None:
    ids = first_ids(api)
    grade = {"student_id": ids["student"], "class_id": ids["class"], "score": 80, "subject": "Art"}
    worker = _worker(stack)
    before = Scrape.of(stack.endpoints.api)
    faults.apply([sf.RedisDownFault(kind="redis_down")])
    health = api.get("/health")
    assert health.status_code == 503 and health.json()["checks"]["redis"] == "unhealthy"
    assert api.post("/api/grades", json=grade).status_code == 503
    assert api.get("/api/schools").status_code == 200  # reads need no Redis
    after = Scrape.of(stack.endpoints.api)
    labels = {"route": "/api/grades", "status_code": "503"}
    assert (
        after.value("http_requests_total", **labels) - before.value("http_requests_total", **labels)
        == 1
    )

    faults.revert()  # start_service("redis"): an empty Redis, as after a crash
    wait_until(lambda: api.get("/health").status_code == 200, what="/health 200 again")
    done = metric(worker, "bullmq_jobs_total", queue="reports", **COMPLETED)
    assert api.post("/api/grades", json=grade).status_code == 201
    wait_until(
        lambda: metric(worker, "bullmq_jobs_total", queue="reports", **COMPLETED) > done,
        timeout=15,
        what="the worker to complete a job again after Redis came back",
    )


def test_database_down_fails_statements_and_requests_until_it_is_back(
    stack: Stack, api: httpx.Client, faults: FaultApplier, database: str
) -> None:
    # SQLite: statements block for about 10 s, then fail; PostgreSQL: the database is
    # closed to connections, every call fails at once (see harness/stack/database.py).
    n = 4
    before = Scrape.of(stack.endpoints.api)
    faults.apply([sf.DatabaseDownFault(kind="database_down")])
    started = time.monotonic()
    codes = statuses(parallel(lambda _: api.get("/api/schools"), range(n), n))
    waited = time.monotonic() - started
    assert codes == {503: n}, codes
    after = Scrape.of(stack.endpoints.api)
    labels = {"route": "/api/schools", "status_code": "503"}
    assert (
        after.value("http_requests_total", **labels) - before.value("http_requests_total", **labels)
        == n
    )
    errors = after.value("db_queries_total", status="error") - before.value(
        "db_queries_total", status="error"
    )
    if database == "sqlite":
        assert errors >= 1, "no db_queries_total{status='error'} during the outage"
        assert 5.0 <= waited <= 20.0
    else:
        # Each request's call fails while opening a connection, and is counted as the
        # spec's Prisma middleware counts a failed call: with the call's model.
        failed = after.value("db_queries_total", model="schools", status="error") - before.value(
            "db_queries_total", model="schools", status="error"
        )
        assert failed >= n, f"{failed} schools calls counted as errors, want >= {n}"
        assert waited < 5.0

    faults.revert()  # start_service("database")
    started = time.monotonic()
    assert api.get("/api/schools").status_code == 200
    assert time.monotonic() - started < 2.0
    # A pseudo-service: no process to signal, and it is up again.
    assert "database" in stack.service_names()
    with pytest.raises(StackError, match="not down"):
        stack.start_service("database")
    with pytest.raises(StackError, match="not a process"):
        stack.pause("database")
