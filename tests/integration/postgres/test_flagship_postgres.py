"""Two of the flagship scenarios (Makefile FLAGSHIP) on the stack's own PostgreSQL, run
as a user runs them (`harness run --database postgres`): a quiet baseline (no false
alarm from the other database's timings) and the one whose fault is in database writes.
Every flagship scenario runs on SQLite as a scenario item of the suite; two here keep
the added CI time near a minute (side by side, each on its own stack)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import StackError
from harness.paths import PROJECT_DIR
from harness.stack.postgres import postgres_bindir, require_psycopg

pytestmark = pytest.mark.integration
SCENARIOS = ("baseline", "intervention-creation-failing")


def test_flagship_scenarios_pass_on_postgres(tmp_path: Path) -> None:
    try:
        postgres_bindir()
        require_psycopg()
    except StackError as exc:
        pytest.skip(f"PostgreSQL: {exc} (make bootstrap)")
    files = [str(PROJECT_DIR / "scenarios" / f"{name}.yaml") for name in SCENARIOS]
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run", *files, "--database", "postgres",
         "--parallel", "2", "--report-dir", str(tmp_path)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    reports = list(tmp_path.glob("*/report.json"))
    assert len(reports) == 1, reports
    report = json.loads(reports[0].read_text())
    assert sorted(s["id"] for s in report["scenarios"]) == sorted(SCENARIOS)
    assert all(s["passed"] and s["verdicts"] for s in report["scenarios"])
