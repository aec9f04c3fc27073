"""The school domain (SQLAlchemy 2 declarative models). Every row carries its tenant."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TIERS = (1, 2, 3)
INTERVENTION_STATUSES = ("active", "closed")
ATTENDANCE_STATUSES = ("present", "absent", "late", "excused")
CHANNELS = ("email", "sms", "push", "in_app")
NOTIFICATION_STATUSES = ("pending", "sent", "failed")


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


# The models repeat id/tenant_id/... columns on purpose: each table declares its own
# columns and indexes (not every tenant_id is indexed), so the schema reads off the class.


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class School(Base):
    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class SchoolClass(Base):
    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(100))
    teacher_id: Mapped[str] = mapped_column(String(64))


class Student(Base):
    __tablename__ = "students"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    grade_level: Mapped[int]
    enrolled: Mapped[bool] = mapped_column(default=True)
    average_score: Mapped[float | None] = mapped_column(default=None)


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("student_id", "class_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)


class Grade(Base):
    __tablename__ = "grades"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    subject: Mapped[str] = mapped_column(String(100))
    score: Mapped[float]
    posted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=_now)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (CheckConstraint(f"status IN {ATTENDANCE_STATUSES}", name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    marked_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=_now)


class Intervention(Base):
    __tablename__ = "interventions"
    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 3", name="tier"),
        CheckConstraint(f"status IN {INTERVENTION_STATUSES}", name="status"),
        Index("ix_interventions_active", "tenant_id", "school_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    tier: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="active")
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=_now)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"channel IN {CHANNELS}", name="channel"),
        CheckConstraint(f"status IN {NOTIFICATION_STATUSES}", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    channel: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=_now)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class ClassAnalytics(Base):
    """Per-class grade statistics, recomputed by the worker (reports queue)."""

    __tablename__ = "class_analytics"
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    grade_count: Mapped[int] = mapped_column(default=0)
    average_score: Mapped[float | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=_now)
