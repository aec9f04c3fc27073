"""Data access (sync SQLAlchemy; the API runs it in the threadpool, the worker in threads).

Each statement names its Prisma-like operation (see db.py) so db_queries_total reads
like the spec's Prisma middleware: findMany, findUnique, findFirst, count, groupBy,
aggregate, create, update.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from harness.target.models import (
    Attendance,
    ClassAnalytics,
    Enrollment,
    Grade,
    Intervention,
    Notification,
    School,
    SchoolClass,
    Student,
)


class NotFound(Exception):
    """A row the request names does not exist in the caller's tenant."""


def _op(stmt: Any, operation: str) -> Any:
    return stmt.execution_options(operation=operation)


def list_schools(s: Session, tenant: str) -> list[dict[str, Any]]:
    rows = s.scalars(_op(select(School).where(School.tenant_id == tenant), "findMany"))
    return [{"id": r.id, "name": r.name} for r in rows]


def list_classes(s: Session, tenant: str, school_id: int | None) -> list[dict[str, Any]]:
    stmt = select(SchoolClass).where(SchoolClass.tenant_id == tenant)
    if school_id is not None:
        stmt = stmt.where(SchoolClass.school_id == school_id)
    return [
        {
            "id": c.id,
            "school_id": c.school_id,
            "name": c.name,
            "subject": c.subject,
            "teacher_id": c.teacher_id,
        }
        for c in s.scalars(_op(stmt.order_by(SchoolClass.id), "findMany"))
    ]


def _student(st: Student) -> dict[str, Any]:
    return {
        "id": st.id,
        "school_id": st.school_id,
        "first_name": st.first_name,
        "last_name": st.last_name,
        "grade_level": st.grade_level,
        "enrolled": st.enrolled,
        "average_score": st.average_score,
    }


def list_students(
    s: Session, tenant: str, class_id: int | None, limit: int
) -> list[dict[str, Any]]:
    stmt = select(Student).where(Student.tenant_id == tenant)
    if class_id is not None:
        stmt = stmt.join(Enrollment, Enrollment.student_id == Student.id).where(
            Enrollment.class_id == class_id
        )
    stmt = stmt.order_by(Student.id).limit(limit)
    return [_student(st) for st in s.scalars(_op(stmt, "findMany"))]


def get_student(s: Session, tenant: str, student_id: int) -> dict[str, Any]:
    stmt = select(Student).where(Student.id == student_id, Student.tenant_id == tenant)
    st = s.scalars(_op(stmt, "findUnique")).first()
    if st is None:
        raise NotFound(f"student {student_id} not found")
    return _student(st)


def _enrollment_school(s: Session, tenant: str, student_id: int, class_id: int) -> int:
    """School of ``class_id`` if the student is enrolled in it, else NotFound."""
    stmt = (
        select(SchoolClass.school_id)
        .join(Enrollment, Enrollment.class_id == SchoolClass.id)
        .where(
            Enrollment.student_id == student_id,
            Enrollment.class_id == class_id,
            Enrollment.tenant_id == tenant,
        )
    )
    school_id = s.scalars(_op(stmt, "findFirst")).first()
    if school_id is None:
        raise NotFound(f"student {student_id} is not enrolled in class {class_id}")
    return int(school_id)


def _insert(s: Session, row: Any) -> Any:
    """Add ``row`` and flush, so its id and column defaults are set."""
    s.add(row)
    s.flush()
    return row


def create_grade(
    s: Session,
    tenant: str,
    user: str,
    student_id: int,
    class_id: int,
    score: float,
    subject: str,
) -> dict[str, Any]:
    school_id = _enrollment_school(s, tenant, student_id, class_id)
    g = _insert(s, Grade(tenant_id=tenant, student_id=student_id, class_id=class_id,
                         score=score, subject=subject, posted_by=user))
    return {"id": g.id, "student_id": student_id, "class_id": class_id,
            "school_id": school_id, "score": score, "subject": subject}


def create_attendance(
    s: Session, tenant: str, user: str, student_id: int, class_id: int, status: str
) -> dict[str, Any]:
    school_id = _enrollment_school(s, tenant, student_id, class_id)
    a = _insert(s, Attendance(tenant_id=tenant, student_id=student_id, class_id=class_id,
                              status=status, marked_by=user))
    return {"id": a.id, "student_id": student_id, "class_id": class_id,
            "school_id": school_id, "status": status}


def create_intervention(
    s: Session, tenant: str, user: str, student_id: int, tier: int, reason: str
) -> dict[str, Any]:
    school_id = get_student(s, tenant, student_id)["school_id"]
    i = _insert(s, Intervention(tenant_id=tenant, school_id=school_id, student_id=student_id,
                                tier=tier, reason=reason, created_by=user))
    return {"id": i.id, "student_id": student_id, "school_id": school_id,
            "tier": tier, "status": i.status}


def close_intervention(s: Session, tenant: str, intervention_id: int) -> dict[str, Any]:
    stmt = select(Intervention).where(
        Intervention.id == intervention_id, Intervention.tenant_id == tenant
    )
    i = s.scalars(_op(stmt, "findUnique")).first()
    if i is None:
        raise NotFound(f"intervention {intervention_id} not found")
    was_active = i.status == "active"
    i.status, i.closed_at = "closed", datetime.now(UTC)
    s.flush()
    return {
        "id": i.id,
        "school_id": i.school_id,
        "tier": i.tier,
        "status": i.status,
        "was_active": was_active,
    }


def create_notification(
    s: Session, tenant: str, recipient_id: int, channel: str, type_: str, message: str
) -> dict[str, Any]:
    get_student(s, tenant, recipient_id)
    n = _insert(s, Notification(tenant_id=tenant, recipient_id=recipient_id, channel=channel,
                                type=type_, message=message))
    return {"id": n.id, "recipient_id": recipient_id, "channel": channel,
            "type": type_, "status": n.status}


def get_notification(s: Session, notification_id: int) -> Notification | None:
    stmt = select(Notification).where(Notification.id == notification_id)
    return s.scalars(_op(stmt, "findUnique")).first()


def mark_notification(s: Session, notification_id: int, status: str) -> None:
    stmt = (
        update(Notification)
        .where(Notification.id == notification_id)
        .values(status=status, sent_at=datetime.now(UTC) if status == "sent" else None)
    )
    s.execute(_op(stmt, "update"))


def update_student_average(s: Session, student_id: int) -> None:
    avg = s.scalar(
        _op(select(func.avg(Grade.score)).where(Grade.student_id == student_id), "aggregate")
    )
    s.execute(
        _op(update(Student).where(Student.id == student_id).values(average_score=avg), "update")
    )


def recompute_class_analytics(s: Session, tenant: str, class_id: int) -> None:
    """Upsert the class's grade statistics (concurrent jobs for one class must not collide)."""
    count, avg = s.execute(
        _op(
            select(func.count(Grade.id), func.avg(Grade.score)).where(Grade.class_id == class_id),
            "aggregate",
        )
    ).one()
    values = {
        "class_id": class_id,
        "tenant_id": tenant,
        "grade_count": count,
        "average_score": avg,
        "updated_at": datetime.now(UTC),
    }
    dialect = s.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(ClassAnalytics).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ClassAnalytics.class_id],
        set_={k: v for k, v in values.items() if k != "class_id"},
    )
    s.execute(_op(stmt, "upsert"))


def students_by_school(s: Session) -> list[tuple[str, int, int]]:
    stmt = (
        select(Student.tenant_id, Student.school_id, func.count())
        .where(Student.enrolled.is_(True))
        .group_by(Student.tenant_id, Student.school_id)
    )
    return [(t, sc, n) for t, sc, n in s.execute(_op(stmt, "groupBy"))]


def active_interventions(s: Session) -> list[tuple[str, int, int, int]]:
    stmt = (
        select(Intervention.tenant_id, Intervention.school_id, Intervention.tier, func.count())
        .where(Intervention.status == "active")
        .group_by(Intervention.tenant_id, Intervention.school_id, Intervention.tier)
    )
    return [(t, sc, tier, n) for t, sc, tier, n in s.execute(_op(stmt, "groupBy"))]
