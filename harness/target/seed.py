"""Deterministic seed data (Faker with a fixed seed): the same ids and names every run.

Tenants are ``tenant-1``, ``tenant-2``, ...; schools, classes and students get
integer ids in creation order. Discover them through GET /api/schools,
/api/classes?school_id= and /api/students?class_id=.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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
    rng = random.Random(plan.seed)
    counts = dict.fromkeys(("tenants", "schools", "classes", "students", "enrollments"), 0)
    counts.update(grades=0, interventions=0)
    teacher_no = 0
    for t in range(1, plan.tenants + 1):
        tenant = Tenant(id=f"tenant-{t}", name=f"{fake.city()} School District")
        session.add(tenant)
        session.flush()
        counts["tenants"] += 1
        for _ in range(plan.schools_per_tenant):
            school = School(tenant_id=tenant.id, name=f"{fake.last_name()} Middle School")
            session.add(school)
            session.flush()
            counts["schools"] += 1
            classes = []
            for c in range(plan.classes_per_school):
                teacher_no += 1
                subject = SUBJECTS[c % len(SUBJECTS)]
                cls = SchoolClass(
                    tenant_id=tenant.id,
                    school_id=school.id,
                    subject=subject,
                    name=f"{subject} {rng.randint(6, 8)}{'ABC'[c % 3]}",
                    teacher_id=f"teacher-{teacher_no}",
                )
                classes.append(cls)
            session.add_all(classes)
            students = [
                Student(
                    tenant_id=tenant.id,
                    school_id=school.id,
                    first_name=fake.first_name(),
                    last_name=fake.last_name(),
                    grade_level=rng.randint(6, 8),
                )
                for _ in range(plan.students_per_school)
            ]
            session.add_all(students)
            session.flush()
            counts["classes"] += len(classes)
            counts["students"] += len(students)
            for student in students:
                for cls in classes:
                    session.add(
                        Enrollment(tenant_id=tenant.id, student_id=student.id, class_id=cls.id)
                    )
                    session.add(
                        Grade(
                            tenant_id=tenant.id,
                            student_id=student.id,
                            class_id=cls.id,
                            subject=cls.subject,
                            score=round(rng.uniform(40, 100), 1),
                            posted_by=cls.teacher_id,
                        )
                    )
                    counts["enrollments"] += 1
                    counts["grades"] += 1
                if rng.random() < plan.intervention_ratio:
                    session.add(
                        Intervention(
                            tenant_id=tenant.id,
                            school_id=school.id,
                            student_id=student.id,
                            tier=rng.choice((1, 1, 1, 2, 2, 3)),
                            reason=fake.sentence(nb_words=8),
                            created_by=classes[0].teacher_id,
                        )
                    )
                    counts["interventions"] += 1
    return counts
