"""Write every report of a run into reports/<run-id>/."""

from __future__ import annotations

from pathlib import Path

from harness.engine.suite import SuiteResult
from harness.report.json_report import write_json_report
from harness.report.junit import write_junit


def write_reports(suite: SuiteResult) -> list[Path]:
    return [write_json_report(suite), write_junit(suite)]
