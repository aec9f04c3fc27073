"""Write every report of a run into reports/<run-id>/.

report.json first; report.html is rendered from that same text, so the page and the
data never disagree and ``harness report DIR`` reproduces it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from harness.engine.suite import SuiteResult
from harness.report.html import parse_report, write_html
from harness.report.json_report import report_text
from harness.report.junit import write_junit

log = logging.getLogger(__name__)


def write_reports(suite: SuiteResult, *, allure: bool = True) -> list[Path]:
    """``allure``: also write allure-results/ (``harness run``; under pytest,
    allure-pytest writes them where ``--alluredir`` says)."""
    out = suite.report_dir
    text = report_text(suite)
    json_path = out / "report.json"
    json_path.write_text(text, encoding="utf-8")
    paths = [json_path]
    secrets = suite.prepared.secrets
    try:
        report = parse_report(json.loads(text), str(json_path))
        paths.append(write_html(report, out / "report.html", secrets))
        if allure:
            from harness.report.allure import write_allure_results

            paths.append(write_allure_results(report, out / "allure-results", secrets))
    except Exception as exc:  # the data is safe in report.json; a page bug must not lose a run
        log.warning("report.html could not be rendered (%s); report.json is complete", exc)
    paths.append(write_junit(suite))
    return paths
