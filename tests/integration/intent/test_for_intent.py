"""A rule without `for:` pages on a transient that the corrected rule rides out.

One live variant of benchmarks/for_intent.py (the whole matrix is too slow for CI):
HighQueueDepth with its `for:` removed, on scenarios/high-queue-depth-transient.yaml,
where the corrected rule (with `for: 5m`) must stay quiet, as the scenario run in the
suite shows. About 20 s at k=60.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.for_intent import RULES, rules_variant
from harness.paths import PROJECT_DIR, SCENARIOS_DIR

pytestmark = [pytest.mark.integration, pytest.mark.alerts, pytest.mark.timeout(300)]


def test_without_for_the_transient_backlog_fires_high_queue_depth(tmp_path: Path) -> None:
    rules = tmp_path / "no-for.yml"
    rules.write_text(rules_variant(RULES.read_text(), "HighQueueDepth", None))
    proc = subprocess.run(
        [
            sys.executable, "-m", "harness.cli.main", "run",
            str(SCENARIOS_DIR / "high-queue-depth-transient.yaml"),
            "--rules", str(rules), "--time-scale", "60", "--report-dir", str(tmp_path),
        ],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=280, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    (report,) = tmp_path.glob("*/report.json")
    (scenario,) = json.loads(report.read_text())["scenarios"]
    (verdict,) = scenario["verdicts"]
    assert verdict["check"] == "never_fires" and verdict["outcome"] == "fired", verdict
    assert "HighQueueDepth fired" in verdict["message"]
