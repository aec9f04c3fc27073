"""Realistic school traffic for the target API: teachers, admins and students.

    locust -f locustfiles/school.py --host http://127.0.0.1:8000

Each user picks a tenant (``--tenants``, the first ones busier, as real districts are),
then discovers real ids through the API the way a client app would (schools, classes,
rosters) and acts as its role (``X-User-Id``, ``X-Tenant-Id``, ``X-Role``). Request names
are the API's route templates, so Locust's rows line up with the ``route`` label of
``http_requests_total``. Fault options (``--fault-*``, also in the web UI form) come from
``common.webui``; phases from ``shapes.py``.
"""

from __future__ import annotations

import random
from typing import Any

from common import process_faults, webui  # noqa: F401  (register fault options, listeners)
from faker import Faker
from locust import FastHttpUser, events, task
from locust.exception import RescheduleTask

ATTENDANCE = (("present", 85), ("late", 7), ("absent", 6), ("excused", 2))
TIERS = ((1, 60), (2, 30), (3, 10))
CHANNELS = (("email", 50), ("in_app", 25), ("push", 15), ("sms", 10))
NOTICE_TYPES = ("grade_posted", "attendance_alert", "intervention_update", "announcement")
SUBJECT_FALLBACK = ("Mathematics", "English", "Science", "History")
ROSTER_LIMIT = 30


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    parser.add_argument(
        "--think-time", type=float, default=1.0,
        help="Mean seconds a user waits between actions (uniform 0.5x-1.5x)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--tenants", type=str, default="tenant-1,tenant-2",
        help="Tenants users act for, comma-separated (earlier ones get more users)",
        include_in_web_ui=True,
    )


def _weighted(choices: tuple[tuple[Any, int], ...]) -> Any:
    return random.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _items(body: Any) -> list[dict[str, Any]]:
    """A list body, or the list inside {"items"|"data"|...: [...]}."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, list):
                return value
    return []


class SchoolUser(FastHttpUser):
    abstract = True
    role = "teacher"
    fake = Faker()

    def wait_time(self) -> float:
        opts = self.environment.parsed_options
        mean = float(getattr(opts, "think_time", 1.0) or 0.0)
        return random.uniform(0.5 * mean, 1.5 * mean)

    def on_start(self) -> None:
        opts = self.environment.parsed_options
        tenants = [t.strip() for t in str(getattr(opts, "tenants", "tenant-1")).split(",")]
        tenants = [t for t in tenants if t] or ["tenant-1"]
        # Earlier tenants are busier: weights n, n-1, ..., 1.
        self.tenant = random.choices(tenants, range(len(tenants), 0, -1))[0]
        self.user_id = f"{self.role}-{self.fake.user_name()}"
        self.classes: list[dict[str, Any]] = []
        self.roster: dict[int, list[dict[str, Any]]] = {}
        self.discover()

    @property
    def headers(self) -> dict[str, str]:
        return {"X-User-Id": self.user_id, "X-Tenant-Id": self.tenant, "X-Role": self.role}

    def get_json(self, path: str, name: str) -> Any:
        """GET and decode; None (the failure is in Locust's stats) if it did not work."""
        with self.client.get(path, name=name, headers=self.headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return None
            try:
                return r.json()
            except ValueError:
                r.failure("body is not JSON")
                return None

    def discover(self) -> None:
        """Schools, then their classes, as a client app loads its start page."""
        schools = _items(self.get_json("/api/schools", "/api/schools"))
        for school in random.sample(schools, min(2, len(schools))):
            path = f"/api/classes?school_id={school['id']}"
            self.classes += _items(self.get_json(path, "/api/classes"))

    def pick_class(self) -> dict[str, Any]:
        if not self.classes:
            self.discover()
        if not self.classes:
            raise RescheduleTask()  # nothing found yet (see the failures); try again later
        return random.choice(self.classes)

    def students_of(self, cls: dict[str, Any], refresh: bool = False) -> list[dict[str, Any]]:
        cid = int(cls["id"])
        if refresh or not self.roster.get(cid):  # an empty (failed) roster is fetched again
            path = f"/api/students?class_id={cid}&limit={ROSTER_LIMIT}"
            self.roster[cid] = _items(self.get_json(path, "/api/students"))
        return self.roster[cid]

    def pick_student(self) -> tuple[dict[str, Any], dict[str, Any]]:
        cls = self.pick_class()
        students = self.students_of(cls)
        if not students:
            raise RescheduleTask()
        return cls, random.choice(students)

    def post(self, path: str, body: dict[str, Any], name: str | None = None) -> Any:
        """POST JSON; the decoded answer on 2xx, else None (a failure in Locust's stats)."""
        r = self.client.post(path, json=body, name=name or path, headers=self.headers)
        if not 200 <= (r.status_code or 0) < 300:
            return None
        try:
            return r.json()
        except ValueError:
            return None


class TeacherUser(SchoolUser):
    """Posts grades, marks a class roster's attendance, looks students up."""

    weight = 6
    role = "teacher"

    def on_start(self) -> None:
        super().on_start()
        if self.classes:
            # Act as the teacher of one class, as the seed data names them.
            mine = random.choice(self.classes)
            self.user_id = str(mine.get("teacher_id") or self.user_id)

    @task(6)
    def post_grade(self) -> None:
        cls, student = self.pick_student()
        score = round(min(100.0, max(0.0, random.gauss(78, 12))), 1)
        subject = cls.get("subject") or random.choice(SUBJECT_FALLBACK)
        body = {"student_id": student["id"], "class_id": cls["id"], "score": score,
                "subject": subject}
        self.post("/api/grades", body)

    @task(1)
    def mark_attendance(self) -> None:
        """One request per student of a class roster (up to ROSTER_LIMIT)."""
        cls = self.pick_class()
        for student in self.students_of(cls, refresh=True):
            body = {"student_id": student["id"], "class_id": cls["id"],
                    "status": _weighted(ATTENDANCE)}
            self.post("/api/attendance", body)

    @task(3)
    def view_roster(self) -> None:
        self.students_of(self.pick_class(), refresh=True)

    @task(4)
    def view_student(self) -> None:
        _, student = self.pick_student()
        self.get_json(f"/api/students/{student['id']}", "/api/students/{id}")


class AdminUser(SchoolUser):
    """Creates interventions (and closes some later), sends notifications about students."""

    weight = 1
    role = "admin"

    def on_start(self) -> None:
        super().on_start()
        self.open_interventions: list[int] = []

    @task(3)
    def create_intervention(self) -> None:
        _, student = self.pick_student()
        body = {"student_id": student["id"], "tier": _weighted(TIERS),
                "reason": self.fake.sentence(nb_words=8)}
        created = self.post("/api/interventions", body)
        if isinstance(created, dict) and "id" in created:
            self.open_interventions.append(int(created["id"]))

    @task(1)
    def close_intervention(self) -> None:
        if not self.open_interventions:
            return
        iid = self.open_interventions.pop(random.randrange(len(self.open_interventions)))
        self.post(f"/api/interventions/{iid}/close", {}, name="/api/interventions/{id}/close")

    @task(4)
    def send_notification(self) -> None:
        _, student = self.pick_student()
        body = {"recipient_id": student["id"], "channel": _weighted(CHANNELS),
                "type": random.choice(NOTICE_TYPES), "message": self.fake.sentence(nb_words=12)}
        self.post("/api/notifications", body)

    @task(2)
    def browse_schools(self) -> None:
        self.classes = []
        self.discover()


class StudentUser(SchoolUser):
    """Reads: their own record, their classes."""

    weight = 3
    role = "student"

    def on_start(self) -> None:
        super().on_start()
        self.me: dict[str, Any] | None = None
        if self.classes:
            students = self.students_of(random.choice(self.classes))
            if students:
                self.me = random.choice(students)
                self.user_id = f"student-{self.me['id']}"

    @task(5)
    def view_me(self) -> None:
        if self.me is None:
            _, self.me = self.pick_student()
        self.get_json(f"/api/students/{self.me['id']}", "/api/students/{id}")

    @task(2)
    def view_classes(self) -> None:
        schools = _items(self.get_json("/api/schools", "/api/schools"))
        if schools:
            school = random.choice(schools)
            self.get_json(f"/api/classes?school_id={school['id']}", "/api/classes")
