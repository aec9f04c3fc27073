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


def test_choosing_nothing_is_an_error_naming_what_was_asked_and_what_exists(
    tmp_path: Path,
) -> None:
    suite = _suite(tmp_path, marks=("nonsense",))
    with pytest.raises(HarnessError) as info:
        suite.choose([_scenario(tmp_path, "a")], asked=(tmp_path,))
    message = str(info.value)
    assert "No scenario selected" in message and "--mark nonsense" in message
    assert str(tmp_path) in message and "1 scenario" in message
    assert "alerts they expect: HighErrorRate" in message
    with pytest.raises(HarnessError, match="no scenario file"):
        _suite(tmp_path).choose([], asked=(tmp_path / "empty",))
    assert not (tmp_path / "out").exists()


def test_only_the_selected_scenarios_are_checked_against_the_rules(tmp_path: Path) -> None:
    """The README's `--rules my-rules.yml --alert HighLatency`: a scenario --alert left
    out is not checked; one whose alerts the rules lack is listed in the notes."""
    suite = _suite(tmp_path, alerts=("HighErrorRate",))
    chosen = suite.choose(
        [_scenario(tmp_path, "errors"), _scenario(tmp_path, "burn", alert="AvailabilityFastBurn")]
    )
    assert [s.id for s in chosen] == ["errors"]
    (note,) = [n for n in suite.prepared.notes if "burn" in n]
    assert "AvailabilityFastBurn" in note and "not in the rules under test" in note
    assert "burn" in suite.finish().prepared.notes[-1]


def test_an_interrupted_run_marks_its_report_folder_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(scenario: Scenario, _p: Any, _o: Any, out: Path, **kw: Any) -> ScenarioResult:
        if scenario.id == "b":
            raise KeyboardInterrupt("SIGTERM")
        return ScenarioResult(scenario.id, scenario.source, 0.0, 1.0)

    monkeypatch.setattr(suite_mod, "run_scenario", interrupted)
    suite = _suite(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        suite.run_all([_scenario(tmp_path, "a"), _scenario(tmp_path, "b")])
    marker = suite.result.report_dir / "INCOMPLETE"
    assert "SIGTERM" in marker.read_text() and "1 of 2 scenarios" in marker.read_text()
    assert any("incomplete" in n for n in suite.finish().prepared.notes)


@pytest.mark.parametrize("where", ["file", "file/below", "read-only/below"])
def test_an_unusable_report_dir_is_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "read-only").mkdir()
    real_access = suite_mod.os.access
    monkeypatch.setattr(  # root writes anywhere: a read-only mount is simulated
        suite_mod.os, "access", lambda p, m: real_access(p, m) and "read-only" not in str(p)
    )
    options = replace(RunOptions(), report_dir=tmp_path / where)
    with pytest.raises(HarnessError, match="--report-dir") as info:
        Suite.open(options, prepared())
    assert str(tmp_path / where.split("/")[0]) in str(info.value)


def test_a_run_folder_says_incomplete_until_the_run_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed outright (SIGKILL) cannot mark its folder: it is marked from the start."""
    seen: list[bool] = []

    def fake(scenario: Scenario, _p: Any, _o: Any, out: Path, **kw: Any) -> ScenarioResult:
        seen.append((out.parents[1] / "INCOMPLETE").is_file())
        return ScenarioResult(scenario.id, scenario.source, 0.0, 1.0)

    monkeypatch.setattr(suite_mod, "run_scenario", fake)
    suite = _suite(tmp_path)
    suite.run_all([_scenario(tmp_path, "a")])
    assert seen == [True]
    assert not (suite.finish().report_dir / "INCOMPLETE").exists()
