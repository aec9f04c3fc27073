"""The containers backend with --database postgres: a PostgreSQL container (the upstream
image, or the local Debian-built one where no registry is reachable), its database
outage, and nothing left afterwards."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from containers_helpers import leftover_containers, spec
from prometheus_client.parser import text_string_to_metric_families

from harness.stack import open_stack
from harness.stack.containers import ContainerStack

pytestmark = [pytest.mark.containers, pytest.mark.integration]
TEACHER = {"X-User-Id": "teacher-1", "X-Tenant-Id": "tenant-1", "X-Role": "teacher"}


def _db_errors(api: str) -> float:
    text = httpx.get(f"{api}/metrics", timeout=5, trust_env=False).text
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "db_queries_total" and s.labels.get("status") == "error"
    )


def test_postgres_container_serves_the_target_and_goes_down_on_demand(tmp_path: Path) -> None:
    stack = open_stack(spec(tmp_path, database="postgres"), "containers")
    assert isinstance(stack, ContainerStack)
    with stack, httpx.Client(headers=TEACHER, timeout=30, trust_env=False) as api:
        endpoints, run_id = stack.endpoints, stack.run_id
        assert endpoints.database.startswith("postgresql+psycopg://harness:")
        assert f"harness-{run_id}-postgres" in leftover_containers(run_id)
        assert api.get(f"{endpoints.api}/api/schools").status_code == 200
        before = _db_errors(endpoints.api)

        stack.stop_service("database")  # the database closed to connections
        assert api.get(f"{endpoints.api}/api/schools").status_code == 503
        assert _db_errors(endpoints.api) > before  # a failed connect is a failed call
        stack.start_service("database")
        assert api.get(f"{endpoints.api}/api/schools").status_code == 200
    assert leftover_containers(run_id) == []
    assert not endpoints.run_dir.exists()
