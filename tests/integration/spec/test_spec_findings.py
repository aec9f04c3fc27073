"""The spec's rules and routes, as written, run through the project's own alert scenarios.

The harness must report what they miss by running scenarios, not by knowing these files:
this test only runs `harness run` on them and reads the report. It pins the defects that
show reliably at the default time scale (each one named in the README); any further
failure is reported too, and is allowed (e.g. a per-series quantile that flaps).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import PROJECT_DIR, SPEC_DIR

pytestmark = [pytest.mark.integration, pytest.mark.alerts, pytest.mark.timeout(2400)]

TEMPLATE_ERROR = "can't evaluate field Annotations in type *template.Data"

# (scenario, check) -> a piece of the failure message that shows why.
EXPECTED = {
    # Unaggregated ratio: the failing route's 5xx series divided by itself is 1.
    ("high-error-rate-below", "never_fires"): "fired",
    # `and` between vectors that share no label set: the alert can never fire.
    ("worker-stalled-stuck", "fires"): "never fired",
    ("worker-stalled-frozen", "fires"): "never fired",
    ("worker-stalled-dead", "fires"): "never fired",
    # `rate(failed[15m]) > 5` is five failures per second: 30% failures never reach it.
    ("intervention-creation-failing", "fires"): "never fired",
    # Receivers template `.Annotations` / `.Labels` at group level: nothing is sent.
    ("high-error-rate", "notifies:pagerduty"): TEMPLATE_ERROR,
    ("dlq-growing", "notifies:pagerduty"): TEMPLATE_ERROR,
    ("high-queue-depth", "notifies:slack"): TEMPLATE_ERROR,
}
# Only the scenarios that show a pinned defect, plus the quiet baseline: every notifying
# scenario fails on the same template error, so two receivers (PagerDuty and Slack) pin it.
SCENARIOS = sorted({scenario for scenario, _ in EXPECTED} | {"baseline"})


def test_spec_rules_and_routes_miss_what_the_scenarios_expect(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable, "-m", "harness.cli.main", "run",
            *(str(PROJECT_DIR / "scenarios" / f"{name}.yaml") for name in SCENARIOS),
            "--rules", str(SPEC_DIR / "prometheus-alerts.yml"),
            "--alertmanager-config", str(SPEC_DIR / "alertmanager.yml"),
            "--report-dir", str(tmp_path),
            "--parallel", "2",  # in CI beside the suite's own scenarios (scripts/test.sh)
        ],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=2300, check=False,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    (report_path,) = tmp_path.glob("*/report.json")
    report = json.loads(report_path.read_text())
    failed = {
        (s["id"], v["check"]): v["message"]
        for s in report["scenarios"]
        for v in s["verdicts"]
        if not v["passed"]
    }
    missing = {key: why for key, why in EXPECTED.items() if why not in failed.get(key, "")}
    assert not missing, (
        f"defects not reported: {sorted(missing)}\nreported: "
        + "\n".join(f"{k}: {m}" for k, m in sorted(failed.items()))
    )
    # The baseline stays quiet on the spec's rules too: the defects are real misses,
    # not noise from the harness.
    baseline = next(s for s in report["scenarios"] if s["id"] == "baseline")
    assert baseline["passed"], baseline["verdicts"]
    # A PagerDuty v1 receiver is tested through v2, and the report says so.
    assert any("Events v1" in note for note in report["notes"])
