"""report.json has one schema (exported from harness.report.model) and every one validates."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from report_support import suite, verdict

from harness.engine.result import ExpectationVerdict
from harness.paths import PROJECT_DIR
from harness.report.schema import SCHEMA_PATH, render_json_schema
from harness.report.writer import write_reports
from harness.verdicts.verdict import Outcome
from harness.verdicts.windows import Window

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "report" / "report.json"


def _schema() -> dict[str, object]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_json_schema(), (
        "docs/report.schema.json is stale: run `python -m harness.report.schema`"
    )


def test_saved_real_report_validates() -> None:
    jsonschema.validate(json.loads(FIXTURE.read_text(encoding="utf-8")), _schema())


def test_every_written_report_validates(tmp_path: Path) -> None:
    write_reports(suite(tmp_path))
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, _schema())
    assert data["summary"] == {
        "scenarios": 3,
        "scenarios_failed": 2,
        "expectations": 8,
        "expectations_failed": 1,
    }
    assert data["options"]["backend"] == "local"
    assert data["inputs"]["alerts"][0]["scaled_for_s"] == 5.0
    assert {"python", "harness"} <= set(data["versions"])


def test_schema_rejects_undescribed_and_missing_keys() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["scenarios"][0]["verdicts"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        jsonschema.validate(data, _schema())
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    del data["time_scale"]
    with pytest.raises(jsonschema.ValidationError, match="time_scale"):
        jsonschema.validate(data, _schema())


def test_infinite_window_end_is_written_as_null(tmp_path: Path) -> None:
    s = suite(tmp_path)
    v = verdict(
        "never_fires",
        Outcome.QUIET,
        None,
        "the scenario started",
        Window(0.0, float("inf"), slack=0.0),
    )
    s.results[0].verdicts.append(ExpectationVerdict.of("x", "HighErrorRate", "never_fires", v))
    write_reports(s)
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert "Infinity" not in text
    jsonschema.validate(json.loads(text), _schema())
    assert (tmp_path / "report.html").exists()
