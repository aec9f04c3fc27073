"""The one suite path of `harness run` and the pytest plugin, without a stack:
a scenario that cannot run is recorded with its error, folders are named once,
results keep the scenarios' order, the report folder exists only once used."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from report_support import prepared

from harness.engine import suite as suite_mod
from harness.engine.result import ScenarioResult
from harness.engine.suite import Suite, scenario_dir_name
from harness.errors import HarnessError, InputError
from harness.options import RunOptions
from harness.scenarios.loader import load_scenario
from harness.scenarios.model import Scenario

SCENARIO = """\
name: {name}
phases:
  - {{name: fault, duration: 1m, faults: [{{kind: errors, ratio: 0.2}}]}}
expect:
  - {{alert: {alert}, fires: {{after: fault}}}}
"""


def _scenario(tmp_path: Path, name: str, alert: str = "HighErrorRate") -> Scenario:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SCENARIO.format(name=name, alert=alert))
    (loaded,) = load_scenario(path)
    return loaded


def _suite(tmp_path: Path, **options: Any) -> Suite:
    return Suite.open(replace(RunOptions(), report_dir=tmp_path / "out", **options), prepared())


def test_folder_names_are_file_name_safe() -> None:
    assert scenario_dir_name("latency[p99 / slow]") == "latency_p99___slow_"
    assert scenario_dir_name("high-error-rate.v2_x") == "high-error-rate.v2_x"


def test_a_scenario_that_cannot_run_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> ScenarioResult:
        raise HarnessError("prometheus exited with code 1")

    monkeypatch.setattr(suite_mod, "run_scenario", broken)
    suite = _suite(tmp_path)
    unknown = suite.run_one(_scenario(tmp_path, "typo", alert="HighErorRate"))
    stack = suite.run_one(_scenario(tmp_path, "errors"))
    assert unknown.error is not None and "Unknown alert 'HighErorRate'" in unknown.error
    assert stack.error == "prometheus exited with code 1"
    result = suite.finish()
    assert result.results == [unknown, stack] and not result.passed
    assert result.report_dir.parent == tmp_path / "out" and result.report_dir.is_dir()
    assert result.ended >= result.started


def test_choose_rejects_what_the_inputs_lack_before_any_folder(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    with pytest.raises(InputError, match="HighErorRate"):
        suite.choose([_scenario(tmp_path, "typo", alert="HighErorRate")])
    assert not (tmp_path / "out").exists()


def test_parallel_results_keep_the_given_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_started = threading.Event()
    second_done = threading.Event()
    outs: list[Path] = []

    def fake(scenario: Scenario, _p: Any, _o: Any, out: Path, **kw: Any) -> ScenarioResult:
        outs.append(out)
        if scenario.id == "a":  # finishes last
            first_started.set()
            assert second_done.wait(10)
        else:
            assert first_started.wait(10)
            second_done.set()
        return ScenarioResult(scenario.id, scenario.source, 0.0, 1.0)

    monkeypatch.setattr(suite_mod, "run_scenario", fake)
    suite = _suite(tmp_path, parallel=2)
    seen: list[str] = []
    suite.run_all(
        [_scenario(tmp_path, "a"), _scenario(tmp_path, "b")],
        on_result=lambda r: seen.append(r.scenario_id),
    )
    assert seen == ["b", "a"]  # as they finished
    assert [r.scenario_id for r in suite.finish().results] == ["a", "b"]
    assert sorted(p.name for p in outs) == ["a", "b"]
    assert all(p.parent.name == "scenarios" for p in outs)
