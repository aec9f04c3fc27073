"""Deterministic seed data (Faker with a fixed seed): the same ids and names every run.

Tenants are ``tenant-1``, ``tenant-2``, ...; schools, classes and students get
integer ids in creation order. Discover them through GET /api/schools,
/api/classes?school_id= and /api/students?class_id=.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harness.target.models import (
    Enrollment,
    Grade,
    Intervention,
    School,
    SchoolClass,
    Student,
    Tenant,
)

SUBJECTS = ("Mathematics", "English", "Science", "History", "Art", "Music")


# Shaped like queries' LivePlan and slo's SloPlan (frozen defaults), but a different
# concept: how much data to seed, not how long to drive a stack.
@dataclass(frozen=True)
class SeedPlan:
    seed: int = 1234
    tenants: int = 2
    schools_per_tenant: int = 2
    classes_per_school: int = 4
    students_per_school: int = 50
    intervention_ratio: float = 0.1


def is_seeded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Tenant)))


def seed(session: Session, plan: SeedPlan = SeedPlan()) -> dict[str, int]:
    """Insert the plan's rows (the caller commits). Returns row counts by table."""
    fake = Faker()
    fake.seed_instance(plan.seed)
    seeder = _Seeder(session, plan, fake, random.Random(plan.seed))
    for t in range(1, plan.tenants + 1):
        seeder.add_tenant(t)
    return seeder.counts


class _Seeder:
    """Adds one tenant's rows at a time. The order of the Faker and random calls is
    what makes the data the same every run: keep it when changing this class."""

    def __init__(self, session: Session, plan: SeedPlan, fake: Faker, rng: random.Random) -> None:
        self.session, self.plan, self.fake, self.rng = session, plan, fake, rng
        self.counts = dict.fromkeys(
            ("tenants", "schools", "classes", "students", "enrollments", "grades", "interventions"),
            0,
        )

    def _flushed(self, row: Any, table: str) -> Any:
        self.session.add(row)
        self.session.flush()
        self.counts[table] += 1
        return row

    def add_tenant(self, number: int) -> None:
        tenant = self._flushed(
            Tenant(id=f"tenant-{number}", name=f"{self.fake.city()} School District"), "tenants"
        )
        for _ in range(self.plan.schools_per_tenant):
            school = self._flushed(
                School(tenant_id=tenant.id, name=f"{self.fake.last_name()} Middle School"),
                "schools",
            )
            self._add_school_rows(tenant.id, school.id)

    def _add_school_rows(self, tenant_id: str, school_id: int) -> None:
        classes = [
            self._school_class(tenant_id, school_id, c) for c in range(self.plan.classes_per_school)
        ]
        self.session.add_all(classes)
        students = [
            Student(
                tenant_id=tenant_id,
                school_id=school_id,
                first_name=self.fake.first_name(),
                last_name=self.fake.last_name(),
                grade_level=self.rng.randint(6, 8),
            )
            for _ in range(self.plan.students_per_school)
        ]
        self.session.add_all(students)
        self.session.flush()
        self.counts["classes"] += len(classes)
        self.counts["students"] += len(students)
        for student in students:
            self._add_student_records(tenant_id, school_id, student, classes)

    def _school_class(self, tenant_id: str, school_id: int, c: int) -> SchoolClass:
        """Class ``c`` of a school; teachers are numbered across every school."""
        subject = SUBJECTS[c % len(SUBJECTS)]
        return SchoolClass(
            tenant_id=tenant_id,
            school_id=school_id,
            subject=subject,
            name=f"{subject} {self.rng.randint(6, 8)}{'ABC'[c % 3]}",
            teacher_id=f"teacher-{self.counts['classes'] + c + 1}",
        )

    def _add_student_records(
        self, tenant_id: str, school_id: int, student: Student, classes: list[SchoolClass]
    ) -> None:
        """Enrolled in every class of the school with one grade each; some get an intervention."""
        for cls in classes:
            enrollment = Enrollment(tenant_id=tenant_id, student_id=student.id, class_id=cls.id)
            self.session.add(enrollment)
            self.session.add(
                Grade(
                    tenant_id=tenant_id,
                    student_id=student.id,
                    class_id=cls.id,
                    subject=cls.subject,
                    score=round(self.rng.uniform(40, 100), 1),
                    posted_by=cls.teacher_id,
                )
            )
            self.counts["enrollments"] += 1
            self.counts["grades"] += 1
        if self.rng.random() < self.plan.intervention_ratio:
            self.session.add(
                Intervention(
                    tenant_id=tenant_id,
                    school_id=school_id,
                    student_id=student.id,
                    tier=self.rng.choice((1, 1, 1, 2, 2, 3)),
                    reason=self.fake.sentence(nb_words=8),
                    created_by=classes[0].teacher_id,
                )
            )
            self.counts["interventions"] += 1
