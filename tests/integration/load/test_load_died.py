"""A load generator that died before its phases ended is an error of the run (exit 2,
with Locust's own words), never a failed expectation (exit 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import EXIT_BAD_INPUT
from harness.paths import PROJECT_DIR

pytestmark = pytest.mark.integration

SCENARIO = PROJECT_DIR / "tests" / "fixtures" / "unrunnable" / "locust-dies.yaml"


def test_locust_dying_early_is_an_error_not_a_fail(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run", str(SCENARIO),
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=180, cwd=PROJECT_DIR, check=False,
    )
    out = result.stdout + result.stderr
    assert result.returncode == EXIT_BAD_INPUT, out
    assert 'harness/cli/' not in result.stderr  # the only traceback is Locust's, quoted
    assert "Locust exited (1) before its phases ended" in out, out
    assert "never fired" not in out and "ERROR locust-dies" in out
    (run_dir,) = tmp_path.iterdir()
    report = (run_dir / "report.json").read_text()
    assert "broken on purpose" in report  # Locust's log tail is the error's evidence
