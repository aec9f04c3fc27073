"""The API's domain endpoints (the system under test's traffic).

Auth stand-in: ``X-User-Id`` and ``X-Tenant-Id`` are required (401 without), ``X-Role``
is teacher | admin | student | system_admin (default student); writes need teacher or
admin (403); system_admin is the only role /admin/monitoring serves (harness/target/admin).
Every query is scoped to the caller's tenant. Writes commit, then publish their
EventBus event and enqueue their job; if Redis is away they answer 503 (the row is
already committed, as with any service that writes then publishes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from harness.target import repo
from harness.target.db import in_transaction
from harness.target.eventbus import EventBus
from harness.target.metrics import TargetMetrics
from harness.target.queues import NOTIFICATIONS, REPORTS, QueueProducer, notification_job_type

T = TypeVar("T")


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant_id: str
    role: str


def principal(
    x_user_id: str | None = Header(default=None),
    x_tenant_id: str | None = Header(default=None),
    x_role: Literal["teacher", "admin", "student", "system_admin"] = Header(default="student"),
) -> Principal:
    if not x_user_id or not x_tenant_id:
        raise HTTPException(401, "X-User-Id and X-Tenant-Id headers are required")
    return Principal(x_user_id, x_tenant_id, x_role)


Caller = Annotated[Principal, Depends(principal)]


def staff(p: Caller) -> Principal:
    if p.role not in ("teacher", "admin"):
        raise HTTPException(403, "teacher or admin role required")
    return p


Staff = Annotated[Principal, Depends(staff)]


class GradeIn(BaseModel):
    student_id: int
    class_id: int
    score: float = Field(ge=0, le=100)
    subject: str = Field(min_length=1, max_length=100)


class AttendanceIn(BaseModel):
    student_id: int
    class_id: int
    status: Literal["present", "absent", "late", "excused"]


class InterventionIn(BaseModel):
    student_id: int
    tier: int = Field(ge=1, le=3)
    reason: str = Field(min_length=1, max_length=500)


class NotificationIn(BaseModel):
    recipient_id: int
    channel: Literal["email", "sms", "push", "in_app"]
    type: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    message: str = Field(min_length=1, max_length=2000)


@dataclass(frozen=True)
class ApiDomain:
    """What the domain routes use: the database, the EventBus, the queues, the metrics."""

    sessions: sessionmaker[Session]
    bus: EventBus
    producer: QueueProducer
    metrics: TargetMetrics

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(session, *args, **kwargs)`` in one transaction, in the threadpool."""
        return await run_in_threadpool(in_transaction, self.sessions, fn, *args, **kwargs)


def add_domain_routes(
    router: FastAPI,
    sessions: sessionmaker[Session],
    bus: EventBus,
    producer: QueueProducer,
    metrics: TargetMetrics,
) -> None:
    """Register the /api routes on the app itself (not an included router: the metrics
    middleware reads route templates from the app's own route list)."""
    domain = ApiDomain(sessions, bus, producer, metrics)
    _add_reads(router, domain)
    _add_grades_and_attendance(router, domain)
    _add_interventions(router, domain)
    _add_notifications(router, domain)


def _add_reads(router: FastAPI, d: ApiDomain) -> None:
    @router.get("/api/schools")
    async def schools(p: Caller) -> list[dict[str, Any]]:
        return await d.db(repo.list_schools, p.tenant_id)

    @router.get("/api/classes")
    async def classes(p: Caller, school_id: int | None = None) -> list[dict[str, Any]]:
        return await d.db(repo.list_classes, p.tenant_id, school_id)

    @router.get("/api/students")
    async def students(
        p: Caller,
        class_id: int | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[dict[str, Any]]:
        return await d.db(repo.list_students, p.tenant_id, class_id, limit)

    @router.get("/api/students/{id}")
    async def student(p: Caller, id: int) -> dict[str, Any]:
        return await d.db(repo.get_student, p.tenant_id, id)


def _add_grades_and_attendance(router: FastAPI, d: ApiDomain) -> None:
    @router.post("/api/grades", status_code=201)
    async def post_grade(p: Staff, body: GradeIn) -> dict[str, Any]:
        g = await d.db(repo.create_grade, p.tenant_id, p.user_id, **body.model_dump())
        d.metrics.grades_posted.labels(p.tenant_id, str(g["school_id"]), str(body.class_id)).inc()
        await d.bus.publish("GradePosted", p.tenant_id, {"grade_id": g["id"], **body.model_dump()})
        job = {"tenant_id": p.tenant_id, "class_id": body.class_id}
        await d.producer.enqueue(REPORTS, "recompute_class_analytics", job)
        return g

    @router.post("/api/attendance", status_code=201)
    async def post_attendance(p: Staff, body: AttendanceIn) -> dict[str, Any]:
        a = await d.db(repo.create_attendance, p.tenant_id, p.user_id, **body.model_dump())
        d.metrics.attendance_marked.labels(p.tenant_id, str(a["school_id"]), body.status).inc()
        event = {"attendance_id": a["id"], **body.model_dump()}
        await d.bus.publish("AttendanceMarked", p.tenant_id, event)
        return a


def _add_interventions(router: FastAPI, d: ApiDomain) -> None:
    @router.post("/api/interventions", status_code=201)
    async def post_intervention(p: Staff, body: InterventionIn) -> dict[str, Any]:
        i = await d.db(repo.create_intervention, p.tenant_id, p.user_id, **body.model_dump())
        active = d.metrics.interventions_active
        active.labels(p.tenant_id, str(i["school_id"]), str(body.tier)).inc()
        event = {
            "intervention_id": i["id"],
            "school_id": i["school_id"],
            "student_id": body.student_id,
            "tier": body.tier,
        }
        await d.bus.publish("InterventionCreated", p.tenant_id, event)
        return i

    @router.post("/api/interventions/{id}/close")
    async def close_intervention(p: Staff, id: int) -> dict[str, Any]:
        i = await d.db(repo.close_intervention, p.tenant_id, id)
        if i.pop("was_active"):
            active = d.metrics.interventions_active
            active.labels(p.tenant_id, str(i["school_id"]), str(i["tier"])).dec()
        return i


def _add_notifications(router: FastAPI, d: ApiDomain) -> None:
    @router.post("/api/notifications", status_code=202)
    async def post_notification(p: Staff, body: NotificationIn) -> dict[str, Any]:
        n = await d.db(
            repo.create_notification,
            p.tenant_id,
            body.recipient_id,
            body.channel,
            body.type,
            body.message,
        )
        about = {"channel": body.channel, "type": body.type, "recipient_id": body.recipient_id}
        await d.bus.publish(
            "NotificationRequested", p.tenant_id, {"notification_id": n["id"], **about}
        )
        job = {"notification_id": n["id"], "tenant_id": p.tenant_id, **about}
        await d.producer.enqueue(NOTIFICATIONS, notification_job_type(body.channel), job)
        return n
