"""The pytest plugin: scenario files become items with their marks; errors read cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SCENARIO = """\
name: {name}
marks: [{mark}]
phases:
  - {{name: fault, duration: 1m, faults: [{{kind: errors, ratio: 0.2}}]}}
expect:
  - {{alert: {alert}, fires: {{after: fault}}}}
"""


def _write(pytester: pytest.Pytester, name: str, alert: str, mark: str = "alerts") -> Path:
    path = pytester.path / "scen" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(SCENARIO.format(name=name, alert=alert, mark=mark))
    return path


def test_scenarios_collected_with_marks(pytester: pytest.Pytester) -> None:
    _write(pytester, "errors", "HighErrorRate")
    _write(pytester, "slo-one", "HighLatency", mark="slo")
    result = pytester.runpytest("--co", "-q", "-m", "alerts", "--scenarios-dir", "scen", "scen")
    result.stdout.fnmatch_lines(["*errors.yaml::errors*"])
    assert "slo-one" not in result.stdout.str()


def test_alert_option_deselects_other_scenarios(pytester: pytest.Pytester) -> None:
    _write(pytester, "errors", "HighErrorRate")
    _write(pytester, "latency", "HighLatency")
    result = pytester.runpytest(
        "--co", "-q", "--alert", "HighLatency", "--scenarios-dir", "scen", "scen"
    )
    out = result.stdout.str()
    assert "latency.yaml::latency" in out
    assert "errors.yaml::errors" not in out
    assert "1 deselected" in out


def test_bad_scenario_is_one_clear_message(pytester: pytest.Pytester) -> None:
    path = pytester.path / "scen" / "bad.yaml"
    path.parent.mkdir()
    path.write_text("name: bad\nphases:\n  - {name: fault, duration: 1m}\nexpekt: []\n")
    result = pytester.runpytest("--co", "--scenarios-dir", "scen", "scen")
    out = result.stdout.str()
    assert "bad.yaml, line 4" in out
    assert "did you mean 'expect'" in out
    assert "Traceback" not in out


def test_unknown_alert_fails_the_item_without_traceback(pytester: pytest.Pytester) -> None:
    _write(pytester, "typo", "HighErorRate")
    result = pytester.runpytest("--scenarios-dir", "scen", "scen", "-p", "no:cacheprovider")
    out = result.stdout.str()
    assert "Unknown alert 'HighErorRate'" in out
    assert "did you mean 'HighErrorRate'" in out
    assert "Traceback" not in out
    result.assert_outcomes(failed=1)
