"""Allure: charts and verdicts per scenario, written by `harness run` or attached under
allure-pytest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_support import scenario

from harness.paths import PROJECT_DIR
from harness.report.allure import verdict_text, write_allure_results
from harness.report.html import load_report

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "report" / "report.json"
UNIT_DIR = Path(__file__).resolve().parent

pytest_plugins = ["pytester"]


def test_harness_run_writes_allure_results(tmp_path: Path) -> None:
    report = load_report(FIXTURE)
    out = write_allure_results(report, tmp_path / "allure-results")
    results = [json.loads(p.read_text()) for p in out.glob("*-result.json")]
    assert sorted(r["name"] for r in results) == sorted(s.id for s in report.scenarios)
    by_name = {r["name"]: r for r in results}
    failed = by_name["high-error-rate"]
    assert failed["status"] == "failed" and "never resolved" in failed["statusDetails"]["message"]
    assert by_name["high-error-rate-below"]["status"] == "passed"
    assert len(failed["steps"]) == 6
    kinds = sorted(a["type"] for a in failed["attachments"])
    assert kinds == ["image/svg+xml", "text/plain"]
    for a in failed["attachments"]:
        assert (out / a["source"]).exists()
    svg = next(a for a in failed["attachments"] if a["type"] == "image/svg+xml")
    assert (out / svg["source"]).read_text().startswith("<svg")


def test_result_files_use_allure_fields_only(tmp_path: Path) -> None:
    model2 = pytest.importorskip("allure_commons.model2")
    import attr

    out = write_allure_results(load_report(FIXTURE), tmp_path)
    allowed = {f.name for f in attr.fields(model2.TestResult)}
    step_fields = {f.name for f in attr.fields(model2.TestStepResult)}
    results = sorted(out.glob("*-result.json"))
    assert results, f"no result files written to {out}"
    for path in results:
        data = json.loads(path.read_text())
        assert set(data) <= allowed
        for step in data["steps"]:
            assert set(step) <= step_fields


def test_verdict_text() -> None:
    from harness.report.model import ScenarioReport

    s = ScenarioReport.model_validate(
        json.loads(json.dumps(scenario(failing=True).to_dict(), default=str))
    )
    text = verdict_text(s)
    assert "[ok] fires:" in text and "[FAIL] resolves:" in text


def test_attached_under_allure_pytest(pytester: pytest.Pytester) -> None:
    pytest.importorskip("allure_pytest")
    pytester.syspathinsert(UNIT_DIR)
    pytester.makepyfile(
        """
        from report_support import prepared, scenario
        from harness.report.allure import attach_to_allure

        def test_scenario():
            attach_to_allure(scenario(secret_text="R0utingKey-d3adbeef-0123456789abcdef"),
                             prepared())
        """
    )
    pytester.runpytest("-p", "allure_pytest", "--alluredir", "allure").assert_outcomes(passed=1)
    out = pytester.path / "allure"
    result = json.loads(next(out.glob("*-result.json")).read_text())
    names = sorted(a["name"] for a in result["attachments"])
    assert names == ["HighErrorRate chart", "verdicts"]
    svg = next(a for a in result["attachments"] if a["name"] == "HighErrorRate chart")
    text = (out / svg["source"]).read_text()
    assert text.startswith("<svg") and "R0utingKey" not in text
