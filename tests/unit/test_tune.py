"""`harness tune`: the candidate grid, scoring against expectations, outputs, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.errors import EXIT_BAD_INPUT, InputError
from harness.offline.evaluate import Evaluation
from harness.offline.statemachine import Episode
from harness.report.tune_chart import points, tradeoff_svg
from harness.report.tune_html import render_tune_html
from harness.rules.load import load_rules_text
from harness.scenarios.loader import load_scenario
from harness.tune.candidates import (
    build_grid,
    parse_durations,
    parse_thresholds,
    production_rule,
    scaled_rule,
)
from harness.tune.measure import Values, score
from harness.tune.output import table, to_json
from harness.tune.run import TuneResult
from tests.unit.test_offline_recording import make_recording

SCALED = load_rules_text(
    """groups:
  - name: g
    rules:
      - alert: A
        expr: rate(x[5s]) > 0.05
        for: 5s
""",
    "r.yml",
).alerts[0]

SCENARIO = """name: s
phases:
  - {name: warmup, duration: 1m}
  - {name: fault, duration: 1m}
expect:
  - alert: A
    fires: {after: fault, within: 10m}
    resolves: {after: fault}
"""


def test_thresholds_from_ranges_and_lists() -> None:
    assert parse_thresholds(["0.02:0.05:0.01"]) == [0.02, 0.03, 0.04, 0.05]
    assert parse_thresholds(["0.05,0.03", "0.03"]) == [0.03, 0.05]
    for bad in ("abc", "0.1:0.05:0.01", "0.1:0.2:0", "1:2"):
        with pytest.raises(InputError, match="--threshold"):
            parse_thresholds([bad])


def test_durations_are_production_time() -> None:
    assert parse_durations(["0,1m", "5m"], "--for") == [0.0, 60.0, 300.0]
    with pytest.raises(InputError, match="--for '5'"):
        parse_durations(["5"], "--for")


def test_the_grid_marks_and_always_holds_the_rule_as_written() -> None:
    written = production_rule(SCALED, 60.0)
    assert written.for_s == 300.0
    grid = build_grid(written, [0.04, 0.05], [0.0, 300.0], [], [])
    assert len(grid) == 4
    assert [c.as_written for c in grid] == [False, False, False, True]
    apart = build_grid(written, [0.1], [60.0], [], [])
    assert len(apart) == 2 and apart[-1].as_written and apart[-1].threshold == 0.05


def test_candidates_are_scaled_like_the_rules_as_run() -> None:
    written = production_rule(SCALED, 60.0)
    c, mine = build_grid(written, [0.07], [600.0], [120.0], [])
    assert mine.as_written and not c.as_written
    rule = scaled_rule(c, SCALED, 60.0)
    assert rule.expr == "rate(x[5s]) > 0.07" and rule.for_s == 10.0
    assert rule.keep_firing_for_s == 2.0
    (free,) = [g for g in build_grid(written, [], [], [], ["rate(x[10m]) > 0.1"]) if g.expr]
    assert scaled_rule(free, SCALED, 60.0).expr == "rate(x[10s]) > 0.1"
    with pytest.raises(InputError, match="does not parse"):
        build_grid(written, [], [], [], ["rate(x[5m]"])


def _evaluation(fired_at: float | None, resolved_at: float | None) -> Evaluation:
    episodes = () if fired_at is None else (Episode((("alertname", "A"),), fired_at - 5,
                                                     fired_at, resolved_at),)
    return Evaluation(SCALED, "q", None, 0.5, 100.0, 200.0, episodes)


def _result(tmp_path: Path) -> TuneResult:
    recording = make_recording(tmp_path / "scenarios" / "s")
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    (scenario,) = load_scenario(path)
    written = production_rule(SCALED, 60.0)
    grid = build_grid(written, [0.05, 0.5, 0.06], [], [], [])
    rules = [scaled_rule(c, SCALED, 60.0) for c in grid]
    evaluations = [_evaluation(128.0, 151.0), _evaluation(None, None), _evaluation(131.0, None)]
    values = Values([(125.0, 0.2), (140.0, 0.3)])
    checks = score(recording, scenario, "A", grid, rules, evaluations, values)
    return TuneResult("A", tmp_path, 60.0, written, grid, ["s"], checks)


def test_scoring_delay_budget_miss_margin_and_resolution(tmp_path: Path) -> None:
    result = _result(tmp_path)
    as_written, high, late = result.checks
    fires = as_written[0]
    assert fires.ok and fires.delay_s == pytest.approx(480.0) and fires.budget_s == 600.0
    assert fires.margin == pytest.approx(0.25) and result.meets_all(0)
    assert not high[0].ok and high[0].delay_s is None and high[0].margin == pytest.approx(-0.2)
    assert not late[0].ok and late[0].detail == "11m > budget 10m"
    assert not late[1].ok and late[1].detail == "still firing"


def test_outputs_json_table_and_page(tmp_path: Path) -> None:
    result = _result(tmp_path)
    data = json.loads(to_json(result))
    assert [c["meets_all"] for c in data["candidates"]] == [True, False, False]
    assert table(result).row_count == 3
    assert [p.delay_min for p in points(result)] == [8.0, None, 11.0]
    svg = tradeoff_svg(result)
    assert svg.count("<circle") == 4  # one per candidate, a ring on the rule as written
    page = render_tune_html(result)
    assert "1 of 3 candidates meet every expectation" in page and "<svg" in page


def _exit_code(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_:
        main(["tune", *args])
    return int(exit_.value.code or 0)


def test_bad_input_is_exit_2_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_recording(tmp_path / "scenarios" / "s")
    (tmp_path / "s.yaml").write_text(SCENARIO)
    (tmp_path / "report.json").write_text(
        json.dumps({"scenarios": [{"id": "s", "source": str(tmp_path / "s.yaml")}]})
    )
    old = tmp_path / "old"
    (old / "scenarios").mkdir(parents=True)
    (old / "report.json").write_text((tmp_path / "report.json").read_text())
    meta = tmp_path / "scenarios" / "s" / "recording" / "recording.json"
    (old / "scenarios" / "s" / "recording").mkdir(parents=True)
    (old / "scenarios" / "s" / "recording" / "recording.json").write_text(
        json.dumps({**json.loads(meta.read_text()), "format": 0})
    )
    cases = {
        ("A", "--from", str(old)): "is a recording of format 0; this harness reads format 1",
        ("A", "--from", str(tmp_path), "--threshold", "x"): "--threshold 'x' is not a number",
        ("Nope", "--from", str(tmp_path)): "Alert 'Nope' is not in the rules of the run",
        ("A", "--from", str(tmp_path / "none")): "no such report folder",
    }
    for args, message in cases.items():
        code = _exit_code(*args)
        err = capsys.readouterr().err
        assert code == EXIT_BAD_INPUT and message in err and "Traceback" not in err, err


def test_the_rule_as_written_is_the_recorded_rule_times_k(tmp_path: Path) -> None:
    recording = make_recording(tmp_path)
    assert production_rule(recording.rule("A"), 60.0).for_s == 300.0


def test_timelines_are_production_minutes_from_the_first_phase(tmp_path: Path) -> None:
    from harness.report.tune_chart import timeline_svg
    from harness.tune.run import timeline

    recording = make_recording(tmp_path)  # fault 120..150 s at k=60
    phases, bands = timeline(recording, [_evaluation(126.0, 151.0), _evaluation(None, None)])
    assert phases == [("fault", 0.0, 30.0)]
    assert bands == [[(6.0, 31.0)], []]
    result = _result(tmp_path / "r")
    result.phases, result.firing = {"s": phases}, [{"s": b} for b in bands] + [{}]
    assert timeline_svg(result, 0).count("<rect") == 2  # the phase, one firing band
    assert timeline_svg(result, 1).count("<rect") == 1
