"""harness report --merge: the shards' reports as one (json, html, junit)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_support import T0, scenario, suite

from harness.cli.report import command
from harness.errors import HarnessError, InputError
from harness.report.html import load_report
from harness.report.merge import merge_reports
from harness.report.writer import write_reports


def shard(tmp_path: Path, name: str, ids: list[str], failing: str = "", shift: float = 0) -> Path:
    result = suite(tmp_path / name)
    result.run_id = name
    result.results = [scenario(i, failing=i == failing) for i in ids]
    result.started, result.ended = T0 + shift, T0 + shift + 30
    write_reports(result, allure=False)
    return tmp_path / name


@pytest.fixture
def shards(tmp_path: Path) -> list[Path]:
    return [
        shard(tmp_path, "one", ["b-scenario", "d-scenario"], failing="d-scenario"),
        shard(tmp_path, "two", ["a-scenario", "c-scenario"], shift=100),
    ]


def test_merge_has_every_scenario_and_recomputes_the_totals(shards: list[Path]) -> None:
    merged = merge_reports(shards)
    assert [s["id"] for s in merged["scenarios"]] == [
        "a-scenario", "b-scenario", "c-scenario", "d-scenario"
    ]
    assert merged["passed"] is False  # d-scenario failed in shard one
    summary = merged["summary"]
    assert summary["scenarios"] == 4 and summary["scenarios_failed"] == 1
    assert summary["expectations"] == sum(len(s["verdicts"]) for s in merged["scenarios"])
    assert summary["expectations_failed"] >= 1
    assert merged["started"] == T0 and merged["ended"] == T0 + 130
    assert merged["run_id"] == "merged-one+two"
    assert merged["notes"][-1].startswith("merged from 2 reports")


def test_cli_writes_json_html_and_junit(shards: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "all"
    result = CliRunner().invoke(
        command, ["--merge", *map(str, shards), "--out", str(out)], standalone_mode=False
    )
    assert result.exception is None, result.output
    report = load_report(out / "report.json")  # a valid harness report
    assert len(report.scenarios) == 4
    assert "d-scenario" in (out / "report.html").read_text()
    junit = ET.parse(out / "junit.xml").getroot()
    assert junit.get("tests") == "4" and junit.get("failures") == "1"
    assert {c.get("name") for c in junit.iter("testcase")} == {
        "a-scenario", "b-scenario", "c-scenario", "d-scenario"
    }


def test_overlapping_shards_are_refused(shards: list[Path]) -> None:
    with pytest.raises(InputError, match="shards overlap"):
        merge_reports([shards[0], shards[0]])


def test_reports_of_another_run_are_refused(shards: list[Path]) -> None:
    data = json.loads((shards[1] / "report.json").read_text())
    data["time_scale"] = 10.0
    (shards[1] / "report.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match="not a shard of the same run"):
        merge_reports(shards)


def test_a_missing_or_foreign_report_is_bad_input(tmp_path: Path, shards: list[Path]) -> None:
    with pytest.raises(InputError, match=r"report\.json not found"):
        merge_reports([shards[0], tmp_path / "nowhere"])
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "report.json").write_text('{"hello": 1}')
    with pytest.raises(InputError, match="not a harness report"):
        merge_reports([shards[0], tmp_path / "foreign"])


def test_several_directories_need_merge(shards: list[Path]) -> None:
    result = CliRunner().invoke(command, list(map(str, shards)), standalone_mode=False)
    assert isinstance(result.exception, HarnessError)
    assert "only with --merge" in str(result.exception)
