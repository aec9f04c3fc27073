"""report.html: summary first, a chart per alert with everything the issue lists, offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_support import suite

from harness.cli.report import command
from harness.errors import InputError
from harness.paths import PROJECT_DIR
from harness.report.html import load_report, parse_report, render_html
from harness.report.model import Report
from harness.report.view import reference_instant
from harness.report.writer import write_reports

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "report" / "report.json"


@pytest.fixture(scope="module")
def fixture_report() -> Report:
    return load_report(FIXTURE)


@pytest.fixture(scope="module")
def page(fixture_report: Report) -> str:
    return render_html(fixture_report)


def test_summary_table_comes_first_with_every_scenario(page: str, fixture_report: Report) -> None:
    summary = page.index('<table class="summary">')
    assert summary < page.index("<svg")
    table = page[summary : page.index("</table>", summary)]
    for s in fixture_report.scenarios:
        assert f">{s.id}</a>" in table
    assert table.count("<tr class=") == len(fixture_report.scenarios)
    assert "FAIL" in table and "PASS" in table


def test_one_chart_per_alert_with_threshold_bands_fault_and_marks(
    page: str, fixture_report: Report
) -> None:
    charts = re.findall(r'<svg [^>]*class="chart".*?</svg>', page, re.S)
    alerts = sum(len({a.alert for a in s.series}) for s in fixture_report.scenarios)
    loads = sum(s.load is not None for s in fixture_report.scenarios)
    assert len(charts) == alerts + loads
    first = charts[0]  # high-error-rate: fired, notified pagerduty
    assert 'class="threshold"' in first and "threshold &gt; 0.05" in first
    assert 'class="band band-pending"' in first and 'class="band band-firing"' in first
    assert 'class="fault-window"' in first
    assert 'class="notification firing"' in first
    assert first.count('class="verdict ') == 4  # the verdicts with a window
    assert 'class="observed"' in first and ">never<" in first


def test_page_is_self_contained(page: str) -> None:
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
    assert "<script" not in page and "<link" not in page
    assert "default-src 'none'" in page


def test_reference_instants(fixture_report: Report) -> None:
    s = fixture_report.scenarios[0]
    fault = next(p for p in s.phases if p.name == "fault")
    by_check = {v.check: v for v in s.verdicts}
    assert reference_instant(by_check["fires"], s) == fault.start
    assert reference_instant(by_check["resolves"], s) == fault.end
    fired = s.episodes["HighErrorRate"][0].fired_at
    assert reference_instant(by_check["notifies:pagerduty"], s) == fired


def test_written_page_shows_errors_and_redacts(tmp_path: Path) -> None:
    write_reports(suite(tmp_path))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "The scenario could not run: stack failed" in html
    assert html.count('class="chart"') == 4  # 2 scenarios x (alert + load); none for the error


def test_render_from_a_sparse_report(fixture_report: Report) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    s = data["scenarios"][0]
    s["series"] = [{**s["series"][0], "series": [], "threshold": None, "error": "query failed"}]
    s["load"], s["notifications"] = None, []
    html = render_html(parse_report(data))
    assert "no data: query failed" in html


def test_harness_report_rerenders(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(FIXTURE.read_text(encoding="utf-8"))
    result = CliRunner().invoke(command, [str(tmp_path)], standalone_mode=False)
    assert result.exception is None and result.return_value == 0
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count('class="chart"') >= 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "report.json not found"),
        ("{", "cannot read report.json"),
        ('{"run_id": 1}', "not a harness report: schema_version: Field required"),
    ],
)
def test_harness_report_bad_input(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "report.json").write_text(content)
    with pytest.raises(InputError, match=message):
        CliRunner().invoke(command, [str(tmp_path)], standalone_mode=False, catch_exceptions=False)


def test_bad_report_exits_2_through_the_harness_command(tmp_path: Path) -> None:
    from harness.cli.main import main

    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(tmp_path)])
    assert exit_info.value.code == 2
