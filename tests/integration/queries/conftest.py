"""One live run (one stack, bounded load, known faults) shared by every query check."""

from __future__ import annotations

import pytest

from harness.options import options_from_pytest
from harness.queries.live import LiveRun, run_live
from harness.queries.table import load_checks, plan_checks, project_queries
from harness.queries.workload import LivePlan


@pytest.fixture(scope="session")
def live_queries(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> LiveRun:
    options = options_from_pytest(request.config)
    run = run_live(
        plan_checks(project_queries(), load_checks()),
        LivePlan.for_time_scale(options.time_scale),
        tmp_path_factory.mktemp("queries"),
        options.database,  # --database postgres: the spec's queries on PostgreSQL
    )
    for note in run.notes:
        print(f"query checks: {note}")
    return run
