"""Database metrics around real statements, SQLite pragmas, the slow_db fault, dbinit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from harness.target import db as db_module
from harness.target import repo
from harness.target.db import classify, make_engine, make_sessionmaker, ping, session_scope
from harness.target.dbinit import init_database, main
from harness.target.fault_state import Faults, merge_patch
from harness.target.metrics import TargetMetrics
from harness.target.models import Student
from tests.support.target import SMALL


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT students.id FROM students WHERE students.id = ?", ("students", "findMany")),
        ("SELECT count(*) AS n FROM grades", ("grades", "count")),
        ("SELECT a FROM (SELECT x FROM enrollments) AS anon_1", ("enrollments", "findMany")),
        ("INSERT INTO grades (score) VALUES (?)", ("grades", "create")),
        ('UPDATE "notifications" SET status=?', ("notifications", "updateMany")),
        ("DELETE FROM attendance WHERE id = ?", ("attendance", "deleteMany")),
        ("SELECT 1", ("unknown", "queryRaw")),
        ("PRAGMA foreign_keys=ON", ("unknown", "executeRaw")),
    ],
)
def test_classify(sql: str, expected: tuple[str, str]) -> None:
    assert classify(sql) == expected


def test_classify_executemany_insert() -> None:
    assert classify("INSERT INTO grades (a) VALUES (?)", executemany=True)[1] == "createMany"


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, CollectorRegistry, Faults]:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    init_database(url, SMALL)
    return url, CollectorRegistry(), Faults(seed=2)


def test_statements_are_counted_and_timed(db: tuple[str, CollectorRegistry, Faults]) -> None:
    url, registry, faults = db
    engine = make_engine(url, metrics=TargetMetrics(registry), faults=faults)
    sessions = make_sessionmaker(engine)
    with session_scope(sessions) as s:
        repo.get_student(s, "tenant-1", 1)
        s.scalars(select(Student).limit(2)).all()  # untagged: the SQL verb decides
    ping(engine)
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    get = registry.get_sample_value
    assert (
        get(
            "db_queries_total",
            {"model": "students", "operation": "findUnique", "status": "success"},
        )
        == 1
    )
    assert (
        get("db_queries_total", {"model": "students", "operation": "findMany", "status": "success"})
        == 1
    )
    assert (
        get("db_queries_total", {"model": "unknown", "operation": "queryRaw", "status": "success"})
        == 1
    )
    assert (
        get(
            "db_queries_total",
            {"model": "no_such_table", "operation": "findMany", "status": "error"},
        )
        == 1
    )
    assert (
        get("db_query_duration_seconds_count", {"model": "students", "operation": "findUnique"})
        == 1
    )
    engine.dispose()


def test_sqlite_connections_use_wal_and_a_busy_timeout(
    db: tuple[str, CollectorRegistry, Faults],
) -> None:
    engine = make_engine(db[0], instrument=False)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000
    engine.dispose()


def test_slow_db_sleeps_inside_the_timed_statement(
    db: tuple[str, CollectorRegistry, Faults],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(db_module, "SLOW_QUERY_SECONDS", 0.1)
    url, registry, faults = db
    faults.set(
        merge_patch(
            faults.state, {"slow_db": {"seconds": 0.15, "ratio": 1.0, "models": ["students"]}}
        )
    )
    engine = make_engine(url, metrics=TargetMetrics(registry), faults=faults)
    sessions = make_sessionmaker(engine)
    t0 = time.monotonic()
    with session_scope(sessions) as s:
        repo.get_student(s, "tenant-1", 1)
        repo.list_schools(s, "tenant-1")  # another model: not slowed
    assert time.monotonic() - t0 >= 0.15
    students = {"model": "students", "operation": "findUnique"}
    schools = {"model": "schools", "operation": "findMany"}
    get = registry.get_sample_value
    assert get("db_query_duration_seconds_bucket", {**students, "le": "0.1"}) == 0
    assert get("db_query_duration_seconds_bucket", {**students, "le": "0.5"}) == 1
    assert get("db_query_duration_seconds_bucket", {**schools, "le": "0.1"}) == 1
    slow = [getattr(r, "fields", {}) for r in caplog.records if r.getMessage() == "slow query"]
    assert len(slow) == 1 and slow[0]["model"] == "students"
    assert slow[0]["duration"] >= 150  # ms
    engine.dispose()


def test_dbinit_seeds_once_and_is_deterministic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'x.db'}"
    assert main(["--database-url", url, "--students-per-school", "5"]) == 0
    assert '"students": 20' in capsys.readouterr().out
    assert main(["--database-url", url]) == 0
    assert "already seeded" in capsys.readouterr().out
    engine = make_engine(url, instrument=False)
    with session_scope(make_sessionmaker(engine)) as s:
        first = repo.get_student(s, "tenant-1", 1)
    engine.dispose()
    other = f"sqlite:///{tmp_path / 'y.db'}"
    assert main(["--database-url", other, "--students-per-school", "5"]) == 0
    engine = make_engine(other, instrument=False)
    with session_scope(make_sessionmaker(engine)) as s:
        assert repo.get_student(s, "tenant-1", 1) == first
    engine.dispose()


def test_dbinit_reports_an_unusable_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", "sqlite:////proc/no/such/dir/x.db"]) == 2
    assert "dbinit: cannot initialise" in capsys.readouterr().err
