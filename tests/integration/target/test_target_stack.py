"""The target end to end: real Redis, SQLite, API and worker processes."""

from __future__ import annotations

import time

import httpx
import pytest
from target_helpers import TOKEN, sample, wait_until

from tests.support.target import TEACHER, TargetProcesses

pytestmark = pytest.mark.integration
FAULTS = {"X-Fault-Token": TOKEN}


def _first_student_and_class(api: httpx.Client) -> tuple[int, int]:
    school = api.get("/api/schools").json()[0]["id"]
    cls = api.get("/api/classes", params={"school_id": school}).json()[0]["id"]
    student = api.get("/api/students", params={"class_id": cls, "limit": 1}).json()[0]["id"]
    return student, cls


def test_jobs_complete_and_notifications_are_counted(
    stack: TargetProcesses, api: httpx.Client
) -> None:
    student, cls = _first_student_and_class(api)
    before = sample(
        stack.worker,
        "bullmq_jobs_total",
        queue="notifications",
        job_type="send_email",
        status="completed",
    )
    for _ in range(3):
        r = api.post(
            "/api/notifications",
            json={
                "recipient_id": student,
                "channel": "email",
                "type": "report_card",
                "message": "Report cards are out.",
            },
        )
        assert r.status_code == 202, r.text
    wait_until(
        lambda: (
            sample(
                stack.worker,
                "bullmq_jobs_total",
                queue="notifications",
                job_type="send_email",
                status="completed",
            )
            >= before + 3
        ),
        what="3 completed send_email jobs on the worker",
    )
    assert (
        sample(
            stack.worker,
            "notifications_sent_total",
            tenant_id="tenant-1",
            channel="email",
            type="report_card",
            status="sent",
        )
        >= 3
    )
    assert (
        sample(
            stack.worker,
            "bullmq_job_duration_seconds_count",
            queue="notifications",
            job_type="send_email",
        )
        >= 3
    )

    r = api.post(
        "/api/grades",
        json={"student_id": student, "class_id": cls, "score": 88, "subject": "Mathematics"},
    )
    assert r.status_code == 201, r.text
    wait_until(
        lambda: (
            sample(
                stack.worker,
                "bullmq_jobs_total",
                queue="reports",
                job_type="recompute_class_analytics",
                status="completed",
            )
            >= 1
        ),
        what="the reports job to complete",
    )
    assert sample(stack.api, "grades_posted_total", tenant_id="tenant-1", class_id=str(cls)) >= 1


def test_events_are_consumed_by_their_handlers(stack: TargetProcesses, api: httpx.Client) -> None:
    student, _ = _first_student_and_class(api)
    r = api.post(
        "/api/interventions",
        json={"student_id": student, "tier": 2, "reason": "Falling behind in reading"},
    )
    assert r.status_code == 201, r.text
    assert (
        sample(
            stack.api,
            "eventbus_published_total",
            event_type="InterventionCreated",
            tenant_id="tenant-1",
        )
        >= 1
    )
    wait_until(
        lambda: (
            sample(
                stack.worker,
                "eventbus_consumed_total",
                event_type="InterventionCreated",
                handler="interventionFollowUp",
                status="success",
            )
            >= 1
        ),
        what="InterventionCreated consumed by interventionFollowUp",
    )
    # The follow-up handler enqueues an email notification, which the worker delivers.
    wait_until(
        lambda: (
            sample(
                stack.worker,
                "notifications_sent_total",
                tenant_id="tenant-1",
                channel="email",
                type="intervention_followup",
                status="sent",
            )
            >= 1
        ),
        what="the follow-up notification to be delivered",
    )
    wait_until(
        lambda: (
            sample(stack.api, "interventions_active_total", tenant_id="tenant-1", tier="2") >= 1
        ),
        what="interventions_active_total on the API",
    )


def test_poison_events_land_in_the_dead_letter_stream(
    stack: TargetProcesses, api: httpx.Client
) -> None:
    # Through the ratio fault: every AttendanceMarked published now is poisoned.
    r = api.put("/faults", headers=FAULTS, json={"eventbus": {"poison_ratio": 1.0}})
    assert r.status_code == 200, r.text
    student, cls = _first_student_and_class(api)
    r = api.post(
        "/api/attendance", json={"student_id": student, "class_id": cls, "status": "present"}
    )
    assert r.status_code == 201, r.text
    api.delete("/faults", headers=FAULTS).raise_for_status()
    # Through the flood endpoint: two more.
    r = api.post(
        "/faults/poison", headers=FAULTS, json={"events": 2, "event_type": "AttendanceMarked"}
    )
    assert r.status_code == 202, r.text
    wait_until(
        lambda: sample(stack.worker, "eventbus_dlq_total", event_type="AttendanceMarked") >= 3,
        what="3 dead-lettered AttendanceMarked events",
    )
    # Each was tried max_attempts (3) times before it was dead-lettered.
    assert (
        sample(
            stack.worker,
            "eventbus_consumed_total",
            event_type="AttendanceMarked",
            handler="attendanceMonitor",
            status="failed",
        )
        >= 9
    )
    wait_until(
        lambda: sample(stack.api, "eventbus_queue_depth", consumer_group="attendanceMonitor") == 0,
        what="the attendanceMonitor group to drain",
    )


def test_worker_faults_are_forwarded_and_stuck_worker_stalls(
    stack: TargetProcesses, api: httpx.Client
) -> None:
    r = api.put("/faults", headers=FAULTS, json={"worker": {"mode": "stuck"}})
    assert r.status_code == 200, r.text
    worker_state = httpx.get(f"{stack.worker}/faults", headers=FAULTS).json()
    assert worker_state["worker"]["mode"] == "stuck"
    done = sample(
        stack.worker,
        "bullmq_jobs_total",
        queue="reports",
        job_type="recompute_class_analytics",
        status="completed",
    )
    r = api.post("/faults/backlog", headers=FAULTS, json={"queue": "reports", "jobs": 50})
    assert r.json()["queued"] == 50
    wait_until(
        lambda: sample(stack.api, "bullmq_queue_waiting_total", queue="reports") >= 30,
        what="the backlog to show in bullmq_queue_waiting_total",
    )
    assert (
        sample(
            stack.worker,
            "bullmq_jobs_total",
            queue="reports",
            job_type="recompute_class_analytics",
            status="completed",
        )
        == done
    )
    api.delete("/faults", headers=FAULTS).raise_for_status()
    wait_until(
        lambda: (
            sample(
                stack.worker,
                "bullmq_jobs_total",
                queue="reports",
                job_type="recompute_class_analytics",
                status="completed",
            )
            >= done + 50
        ),
        what="the backlog to complete once the worker runs again",
    )
    wait_until(
        lambda: sample(stack.api, "bullmq_queue_waiting_total", queue="reports") == 0,
        what="bullmq_queue_waiting_total back to 0",
    )


def test_error_and_slow_db_faults_show_in_metrics(
    stack: TargetProcesses, api: httpx.Client
) -> None:
    r = api.put(
        "/faults",
        headers=FAULTS,
        json={
            "errors": {"ratio": 1.0, "routes": ["/api/schools"], "status": 503},
            "slow_db": {"seconds": 0.3, "ratio": 1.0, "models": ["classes"]},
        },
    )
    assert r.status_code == 200, r.text
    assert api.get("/api/schools").status_code == 503
    t0 = time.monotonic()
    assert api.get("/api/classes").status_code == 200
    assert time.monotonic() - t0 >= 0.3
    assert (
        sample(
            stack.api,
            "http_requests_total",
            method="GET",
            route="/api/schools",
            status_code="503",
            tenant_id="tenant-1",
        )
        >= 1
    )
    slow = sample(
        stack.api,
        "db_query_duration_seconds_bucket",
        model="classes",
        operation="findMany",
        le="0.1",
    )
    total = sample(
        stack.api, "db_query_duration_seconds_count", model="classes", operation="findMany"
    )
    assert total > slow  # the slowed statement landed above 0.1 s


def test_health_follows_redis_and_everything_recovers(own_stack: TargetProcesses) -> None:
    s = own_stack
    headers = TEACHER
    api = httpx.Client(base_url=s.api, headers=headers, timeout=10)
    assert api.get("/health").status_code == 200
    s.stop_redis()
    t0 = time.monotonic()
    r = api.get("/health")
    assert r.status_code == 503 and r.json()["checks"]["redis"] == "unhealthy"
    assert time.monotonic() - t0 < 3.0
    student, cls = _first_student_and_class(api)
    r = api.post(
        "/api/grades",
        json={"student_id": student, "class_id": cls, "score": 70, "subject": "Mathematics"},
    )
    assert r.status_code == 503, r.text
    assert httpx.get(f"{s.worker}/metrics").status_code == 200  # the worker is still alive

    s.start_redis()
    wait_until(
        lambda: api.get("/health").status_code == 200,
        timeout=20,
        what="/health 200 after Redis came back",
    )
    r = api.post(
        "/api/grades",
        json={"student_id": student, "class_id": cls, "score": 71, "subject": "Mathematics"},
    )
    assert r.status_code == 201, r.text
    wait_until(
        lambda: (
            sample(
                s.worker,
                "eventbus_consumed_total",
                event_type="GradePosted",
                handler="gradeAnalytics",
                status="success",
            )
            >= 1
        ),
        timeout=20,
        what="the worker to consume again after Redis came back",
    )
    wait_until(
        lambda: (
            sample(
                s.worker,
                "bullmq_jobs_total",
                queue="reports",
                job_type="recompute_class_analytics",
                status="completed",
            )
            >= 1
        ),
        timeout=20,
        what="the worker to complete jobs again after Redis came back",
    )
    api.close()


def test_notification_and_intervention_faults_fail_in_the_worker(
    stack: TargetProcesses, api: httpx.Client
) -> None:
    r = api.put(
        "/faults",
        headers=FAULTS,
        json={
            "notifications": {"fail_ratio": {"push": 1.0}},
            "interventions": {"handler_fail_ratio": 1.0},
        },
    )
    assert r.status_code == 200, r.text
    student, _ = _first_student_and_class(api)
    r = api.post(
        "/api/notifications",
        json={"recipient_id": student, "channel": "push", "type": "alert", "message": "x"},
    )
    assert r.status_code == 202, r.text
    r = api.post(
        "/api/interventions", json={"student_id": student, "tier": 3, "reason": "attendance"}
    )
    assert r.status_code == 201, r.text
    failed_job = {"queue": "notifications", "job_type": "send_push"}
    wait_until(
        lambda: sample(stack.worker, "bullmq_jobs_total", **failed_job, status="failed") >= 1,
        what="the push delivery job to fail",
    )
    assert sample(stack.worker, "bullmq_queue_failed_total", **failed_job) >= 1
    assert (
        sample(
            stack.worker,
            "notifications_sent_total",
            tenant_id="tenant-1",
            channel="push",
            type="alert",
            status="failed",
        )
        >= 1
    )
    # The failing handler is retried, then its event is dead-lettered.
    wait_until(
        lambda: sample(stack.worker, "eventbus_dlq_total", event_type="InterventionCreated") >= 1,
        what="the failing InterventionCreated to be dead-lettered",
    )
    assert (
        sample(
            stack.worker,
            "eventbus_consumed_total",
            event_type="InterventionCreated",
            handler="interventionFollowUp",
            status="failed",
        )
        >= 3
    )


def test_processes_exit_cleanly_while_redis_is_down(own_stack: TargetProcesses) -> None:
    own_stack.stop_redis()
    for name in ("api", "worker"):
        t0 = time.monotonic()
        assert own_stack.procs[name].stop(8.0) == 0, own_stack.logs()
        assert time.monotonic() - t0 < 8.0
