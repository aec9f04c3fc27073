"""A call that fails while opening a connection counts as an error of that call, as the
spec's Prisma middleware counts every failed call (db_queries_total{status="error"})."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from harness.target.db import make_engine, make_sessionmaker, ping, session_scope
from harness.target.metrics import TargetMetrics
from harness.target.models import School, Student


def errors(registry: CollectorRegistry, model: str, operation: str) -> float:
    labels = {"model": model, "operation": operation, "status": "error"}
    return registry.get_sample_value("db_queries_total", labels) or 0.0


@pytest.fixture
def unreachable(tmp_path: Path) -> tuple[CollectorRegistry, object]:
    """An engine whose every connect fails (its file's folder does not exist)."""
    registry = CollectorRegistry()
    url = f"sqlite:///{tmp_path / 'missing-folder' / 'target.db'}"
    engine = make_engine(url, metrics=TargetMetrics(registry))
    return registry, engine


def test_a_failed_connect_counts_with_the_calls_model_and_operation(unreachable: tuple) -> None:
    registry, engine = unreachable
    factory = make_sessionmaker(engine)  # type: ignore[arg-type]
    with pytest.raises(OperationalError), session_scope(factory) as s:
        s.scalars(select(School).execution_options(operation="findFirst")).first()
    assert errors(registry, "schools", "findFirst") == 1
    with pytest.raises(OperationalError), session_scope(factory) as s:
        s.scalars(select(Student)).all()  # no explicit operation: from the statement
    assert errors(registry, "students", "findMany") == 1


def test_a_failed_flush_counts_as_a_create(unreachable: tuple) -> None:
    registry, engine = unreachable
    factory = make_sessionmaker(engine)  # type: ignore[arg-type]
    with pytest.raises(OperationalError), session_scope(factory) as s:
        s.add(School(tenant_id="t", name="x"))
        s.flush()
    assert errors(registry, "schools", "create") == 1


def test_a_failed_health_check_counts_as_query_raw(unreachable: tuple) -> None:
    registry, engine = unreachable
    with pytest.raises(OperationalError):
        ping(engine)  # type: ignore[arg-type]
    assert errors(registry, "unknown", "queryRaw") == 1
