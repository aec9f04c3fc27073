"""promtool and the offline evaluator agree on every case of the vendored public suites
(tests/data/promtool-suites) and of the spec's own test file; bad input is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.paths import PROJECT_DIR
from harness.promtool.report import CaseRow
from harness.promtool.run import run_test_file
from harness.promtool.testfile import load_test_file

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

SUITES = PROJECT_DIR / "tests" / "data" / "promtool-suites"
SPEC_TESTS = PROJECT_DIR / "compose" / "corrected" / "tests" / "prometheus-alerts.test.yml"
SPEC_ALERTS = {"HighErrorRate", "HighLatency", "HighQueueDepth", "DLQGrowing",
               "SlowDatabaseQueries", "WorkerStalled", "InterventionCreationFailing",
               "NotificationDeliveryFailing"}


def _test_files() -> list[Path]:
    return sorted(p for p in SUITES.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml")
                  and "rule_files" in p.read_text(encoding="utf-8"))


def test_vendored_suites_are_found() -> None:
    found = {p.parent.name if p.parent.name != "tests" else p.parent.parent.name
             for p in _test_files()}
    assert len(found) >= 4, found


@pytest.mark.parametrize("path", _test_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_promtool_and_offline_agree(path: Path, tmp_path: Path) -> None:
    rows = run_test_file(path, allow_beyond_series=True, work_dir=tmp_path).rows
    assert rows, f"no test case in {path}"
    differ = [(r.key, r.promtool, r.offline, r.reason, r.details) for r in rows
              if r.promtool != r.offline]
    assert differ == []


def test_failing_cases_fail_in_both_legs(tmp_path: Path) -> None:
    """promtool's own failing.yml: the two cases promtool fails, offline fails too."""
    rows = run_test_file(SUITES / "prometheus+prometheus" / "failing.yml",
                         allow_beyond_series=True, work_dir=tmp_path).rows
    verdicts = {(r.key, r.promtool, r.offline) for r in rows}
    assert ("tests[1].alert_rule_test[0]", "fail", "fail") in verdicts  # values: 0x10
    assert ("tests[0].promql_expr_test[0]", "fail", "fail") in verdicts


def test_spec_rules_test_file_passes_both_legs(tmp_path: Path) -> None:
    result = run_test_file(SPEC_TESTS, work_dir=tmp_path)
    rows: list[CaseRow] = result.rows
    warnings = result.warnings
    assert warnings == []
    assert [(r.key, r.promtool, r.offline) for r in rows if
            (r.promtool, r.offline) != ("pass", "pass")] == []
    cases = [c for g in load_test_file(SPEC_TESTS).groups for c in g.alert_cases]
    firing = {c.alertname for c in cases if c.exp_alerts}
    quiet = {c.alertname for c in cases if not c.exp_alerts}
    assert firing == SPEC_ALERTS
    assert quiet == SPEC_ALERTS
