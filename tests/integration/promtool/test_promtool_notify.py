"""`harness promtool-test --live 60 --alertmanager-config`: a small test file's alerts routed
by a real Alertmanager (two receivers by severity) to the capture receiver; the
exp_notifications of the side file pass when right and fail, naming their line, when
wrong. Real promtool, Prometheus and Alertmanager, through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.paths import PROJECT_DIR

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

DATA = PROJECT_DIR / "tests" / "data" / "promtool-notify"


def _run(test: str, tmp_path: Path) -> tuple[int, str, dict[str, Any]]:
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "promtool-test", "--live", "60",
         "--alertmanager-config", "alertmanager.yml", "--json", str(report), test],
        capture_output=True, text=True, timeout=240, cwd=DATA, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, json.loads(report.read_text())


def test_right_expectations_pass_and_receivers_are_listed(tmp_path: Path) -> None:
    code, out, report = _run("alerts.test.yml", tmp_path)
    section = report["notifications"]
    assert [(e["alertname"], e["receiver"], e["expected"], e["status"])
            for e in section["expectations"]] == [
        ("DiskFull", "pager", "notified", "pass"),
        ("DiskFull", "tickets", "not notified", "pass"),
        ("DiskFull", "default", "not notified", "pass"),
        ("QueueSlow", "tickets", "notified", "pass"),
        ("QueueSlow", "pager", "not notified", "pass")], out
    firing = {(o["receiver"], o["kind"], o["alertnames"][0]) for o in section["observed"]
              if o["status"] == "firing"}
    assert firing == {("pager", "pagerduty", "DiskFull"), ("tickets", "webhook", "QueueSlow")}
    assert "harness-test-" not in json.dumps(report) + out  # the keys and the URL's token
    assert code == 0, out


def test_wrong_expectations_fail_with_their_line(tmp_path: Path) -> None:
    code, out, report = _run("wrong.test.yml", tmp_path)
    assert code == 1, out
    failed = [e for e in report["notifications"]["expectations"] if e["status"] == "fail"]
    assert [(e["receiver"], e["expected"]) for e in failed] == [
        ("tickets", "notified"), ("pager", "not notified")]
    assert failed[0]["message"].startswith("wrong.test.notifications.yml:2: receiver 'tickets' "
                                           "was not notified of")
    assert "the routing tree sends it to ['pager']" in failed[0]["message"]
    assert "wrong.test.notifications.yml:2: receiver 'pager' was notified of" in " ".join(
        out.split())
    assert all(r["live"] == "pass" for r in report["cases"])  # the alerts themselves are right
