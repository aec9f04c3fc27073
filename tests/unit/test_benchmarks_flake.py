"""The flake benchmark's analysis on synthetic report.json files (nothing is run)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from benchmarks import flake_runs
from benchmarks.__main__ import main as bench_main
from benchmarks.flake import cli
from benchmarks.flake_analysis import analyse, closeness, find_reports, load_report
from benchmarks.flake_output import quiet_ranked
from benchmarks.flake_runs import BusyCore, Selection, run_once
from benchmarks.registry import with_options
from harness.errors import HarnessError
from harness.paths import SCENARIOS_DIR

E = 0.5  # the global evaluation interval of the synthetic runs
SCALED = "groups:\n- name: slow\n  interval: 1s\n  rules:\n  - alert: Slow\n    expr: x > 1\n"


def verdict(alert: str, check: str, outcome: str, **kw: Any) -> dict[str, Any]:
    return {
        "scenario": "s", "alert": alert, "check": check,
        "expectation": kw.pop("expectation", f"{alert} fires after 'fault'"),
        "passed": outcome in ("on_time", "quiet"), "outcome": outcome, "message": "",
        "window": kw.pop("window", [10.0, 14.0]), "window_formula": None, "slack": 0.5,
        "observed": kw.pop("observed", None), "reference": kw.pop("reference", "'fault' started"),
    }  # fmt: skip


def quiet(alert: str, peak: float, threshold: float = 0.05, op: str = ">") -> tuple[Any, Any]:
    """A quiet never_fires verdict over the scenario, and its alert's series peaking at
    ``peak`` inside the watch (and higher outside it, which must not count)."""
    v = verdict(alert, "never_fires", "quiet", window=[0.0, 20.0],
                reference="the scenario started", expectation=f"{alert} never fires")  # fmt: skip
    points = [[1000.0, peak / 2], [1010.0, peak], [1030.0, peak * 10]]  # last one after the watch
    series = {"alert": alert, "expr": "x", "op": op, "threshold": threshold, "error": None,
              "series": [{"labels": {}, "points": points}]}  # fmt: skip
    return v, series


def report(tmp: Path, name: str, verdicts: list[Any], series: Sequence[Any] = ()) -> Path:
    data = {
        "run_id": name, "started": 1000.0, "ended": 1060.0,
        "intervals": {"scrape": 0.5, "evaluation": E},
        "inputs": {"scaled_rules": [{"file": "r.yml", "yaml": SCALED}]},
        "scenarios": [{"id": "s", "started": 1000.0, "ended": 1040.0, "error": None,
                       "phases": [{"name": "fault", "start": 1005.0, "end": 1030.0}],
                       "verdicts": verdicts, "series": list(series)}],
    }  # fmt: skip
    folder = tmp / name
    folder.mkdir()
    (folder / "report.json").write_text(json.dumps(data))
    return folder


def two_runs(tmp_path: Path) -> list[Path]:
    q1, s1 = quiet("Quiet", 0.045)
    q2, s2 = quiet("Quiet", 0.030)
    low, low_series = quiet("Low", 8.0, threshold=2.0, op="<")  # lowest: 4.0
    point = verdict("A", "notifies:pd", "on_time", window=[1.0, 1.0], observed=1.3)  # FiredAt + GW
    run1 = [verdict("A", "fires", "on_time", observed=12.0), point,
            verdict("Slow", "fires", "on_time", observed=10.4), q1, low]  # fmt: skip
    run2 = [verdict("A", "fires", "late", observed=15.0), point,
            verdict("Slow", "fires", "on_time", observed=13.0), q2, low]  # fmt: skip
    return [report(tmp_path, "r1", run1, [s1, low_series]), report(tmp_path, "r2", run2, [s2])]


def test_flips_detected(tmp_path: Path) -> None:
    found = analyse([load_report(p / "report.json") for p in two_runs(tmp_path)])
    by = {(e.alert, e.check): e for e in found}
    assert by[("A", "fires")].flipped and by[("A", "fires")].outcomes() == ["on_time", "late"]
    assert not by[("Slow", "fires")].flipped and not by[("Quiet", "never_fires")].flipped


def test_edge_distances_in_evaluation_intervals(tmp_path: Path) -> None:
    found = analyse([load_report(p / "report.json") for p in two_runs(tmp_path)])
    by = {(e.alert, e.check): e for e in found}
    a = by[("A", "fires")]  # E = 0.5 s: 12.0 in [10, 14) -> 4 E to each; 15.0 -> 8 E, -2 E
    assert a.evaluation_s == E
    assert [r["to_early_edge_E"] for r in a.runs if r] == [4.0, 10.0]
    assert (a.min_edge("to_early_edge_E"), a.min_edge("to_late_edge_E")) == (4.0, -2.0)
    assert a.near_edge  # the late run sits outside the late edge
    slow = by[("Slow", "fires")]  # its group's interval: 1 s, not the global 0.5 s
    assert slow.evaluation_s == 1.0
    assert slow.min_edge("to_early_edge_E") == pytest.approx(0.4)
    assert slow.min_edge("to_late_edge_E") == pytest.approx(1.0) and slow.near_edge
    assert by[("Quiet", "never_fires")].min_edge("to_early_edge_E") is None
    point = by[("A", "notifies:pd")]  # a point window: told apart, margin = slack - 0.3 s
    assert point.narrow and not point.near_edge and not a.narrow
    assert point.min_edge("margin_s") == pytest.approx(0.2)


def test_quiet_approaches_ranked(tmp_path: Path) -> None:
    found = analyse([load_report(p / "report.json") for p in two_runs(tmp_path)])
    ranked = quiet_ranked(found)
    assert [e.alert for e in ranked] == ["Quiet", "Low"]
    closest = ranked[0].closest()
    assert closest is not None  # the higher of the two runs, inside the watch only
    assert (closest["value"], closest["ratio"], closest["at_s"]) == (0.045, 0.9, 10.0)
    low = ranked[1].closest()
    assert low is not None and (low["value"], low["ratio"]) == (4.0, 0.5)  # fires below 2.0
    second = ranked[1].runs[1]  # the second run charted nothing for Low
    assert (
        second is not None and second["approach"]["reason"] == "the alert's value was not charted"
    )
    assert closeness(1.0, ">", 0.0) is None and closeness(0.0, "<", 1.0) is None


def test_empty_input_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = report(tmp_path, "empty", [])
    data = json.loads((empty / "report.json").read_text())
    data["scenarios"] = []
    (empty / "report.json").write_text(json.dumps(data))
    assert cli(["--from-reports", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "selected nothing is not a pass" in capsys.readouterr().err
    no_verdicts = report(tmp_path, "no-verdicts", [])
    assert cli(["--from-reports", str(no_verdicts), "--out", str(tmp_path / "o")]) == 2
    assert "no verdict" in capsys.readouterr().err
    (tmp_path / "nothing").mkdir()
    assert cli(["--from-reports", str(tmp_path / "nothing")]) == 2
    assert "no report.json" in capsys.readouterr().err
    assert cli([]) == 2 and "--runs N" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_outputs_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = two_runs(tmp_path)
    assert sorted(find_reports([tmp_path])) == [p / "report.json" for p in runs]
    out = tmp_path / "out"
    assert cli(["--from-reports", *map(str, runs), "--out", str(out)]) == 1  # flips: 1
    data = json.loads((out / "flake.json").read_text())
    assert data["summary"] == {"expectations": 5, "flipped": 1, "near_edge": 2,
                               "narrow_window": 1, "sampling_window": 0,
                               "quiet_with_approach": 2}  # fmt: skip
    assert [r["run_id"] for r in data["runs"]] == ["r1", "r2"]
    md = (out / "flake.md").read_text()
    assert "| s | A | fires | on_time, late |" in md
    assert "| s | Quiet | 0.045 | > 0.05 | 90% |" in md
    assert "## Flipped (1)" in capsys.readouterr().out


def test_runner_hands_options_to_flake(tmp_path: Path) -> None:
    assert "flake" in with_options() and "load_vs_wrk" not in with_options()
    runs = two_runs(tmp_path)
    assert bench_main(["flake", "--from-reports", str(runs[0]), "--out", str(tmp_path / "o")]) == 1
    assert (tmp_path / "o" / "flake.md").is_file()


def test_busy_core_stopped_on_every_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "stress-ng"
    fake.write_text("#!/bin/sh\nexec sleep 600\n")
    fake.chmod(0o755)
    monkeypatch.setattr(flake_runs.shutil, "which", lambda name: str(fake))
    hog = BusyCore()
    with pytest.raises(RuntimeError), hog:
        assert hog.proc is not None and hog.proc.poll() is None
        raise RuntimeError("a run broke")
    assert hog.proc is not None and hog.proc.poll() is not None
    monkeypatch.setattr(flake_runs.shutil, "which", lambda name: None)
    with pytest.raises(HarnessError, match="needs stress-ng"), BusyCore():
        pass


def test_a_run_that_selects_nothing_stops_the_benchmark(tmp_path: Path) -> None:
    nothing = Selection((SCENARIOS_DIR / "baseline.yaml",), ("no-such-mark",))
    with pytest.raises(HarnessError, match=r"exited 2: .*No scenario selected"):
        run_once(nothing, tmp_path / "run-01")


def test_a_window_made_of_sampling_phases_is_told_apart(tmp_path: Path) -> None:
    """high-queue-depth's firing (a step in a gauge): FiredAt = t0 + collection lag +
    scrape lag + evaluation lag + F*, so it lands near one edge or the other by the draw
    of those phases, whatever the scenario's size. Listed with its margin, not flagged;
    the same distance in a window with a condition lag (W) still is."""
    sampled = (
        "[t0 + F*, t0 + S + E + F*) + collection 0.50 s, "
        "early edge - switching faults on 0.22 s"
    )
    lagged = "[t0 + F*, t0 + W + S + E + F*) + collection 0.50 s"
    runs = []
    for name, late in (("r1", 6.19), ("r2", 5.48)):
        gauge = verdict("Q", "fires", "on_time", window=[4.78, 6.5], observed=late)
        ranged = verdict("R", "fires", "on_time", window=[5.0, 11.5], observed=late)
        gauge["window_formula"], ranged["window_formula"] = sampled, lagged
        runs.append(report(tmp_path, name, [gauge, ranged]))
    found = analyse([load_report(p / "report.json") for p in runs])
    by = {e.alert: e for e in found}
    q, r = by["Q"], by["R"]
    assert q.sampled and not q.narrow and not q.near_edge
    assert q.min_edge("to_late_edge_E") == pytest.approx(0.62)
    assert q.min_edge("margin_s") == pytest.approx(0.81)  # to the judged (slack) edge
    assert not r.sampled and r.near_edge  # 0.96 E from its early edge
    out = tmp_path / "out"
    assert cli(["--from-reports", *map(str, runs), "--out", str(out)]) == 1  # R is near
    md = (out / "flake.md").read_text()
    assert "as wide as their sampling phases (1)" in md and "| s | Q | fires | [4.78, 6.5]" in md
    assert json.loads((out / "flake.json").read_text())["summary"]["sampling_window"] == 1


CHILD = """\
import pathlib, signal, sys, time
def stop(signum, frame):
    pathlib.Path(sys.argv[1]).write_text("stopped its stacks")
    sys.exit(143)
signal.signal(signal.SIGTERM, stop)
pathlib.Path(sys.argv[2]).touch()
time.sleep(60)
"""


def test_a_stopped_benchmark_lets_its_harness_run_stop_its_stacks(tmp_path: Path) -> None:
    """Stopping the benchmark (here Ctrl-C; SIGTERM raises SystemExit the same way) sends
    the running harness run SIGTERM and waits for it, instead of subprocess.run's SIGKILL
    (seen: a killed benchmark left two scenario stacks running)."""
    import _thread
    import threading

    stopped, started = tmp_path / "stopped", tmp_path / "started"
    argv = [sys.executable, "-c", CHILD, str(stopped), str(started)]

    def interrupt_once_started() -> None:
        deadline = time.monotonic() + 20
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        _thread.interrupt_main()

    threading.Thread(target=interrupt_once_started, daemon=True).start()
    with (tmp_path / "log").open("w") as out, pytest.raises(KeyboardInterrupt):
        flake_runs.run_child(argv, out, timeout=60)
    assert stopped.read_text() == "stopped its stacks"
