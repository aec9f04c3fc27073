"""The pytest plugin: scenario files become items with their marks; errors read cleanly."""

from __future__ import annotations

import json
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


def test_unknown_alert_fails_the_item_and_is_recorded(pytester: pytest.Pytester) -> None:
    """The suite path of `harness run`: a scenario that cannot run is a failed item
    and the run's report.json and junit.xml record its error."""
    _write(pytester, "typo", "HighErorRate")
    result = pytester.runpytest(
        "--scenarios-dir", "scen", "scen", "-p", "no:cacheprovider", "--report-dir", "out"
    )
    out = result.stdout.str()
    assert "could not run:" in out
    assert "Unknown alert 'HighErorRate'" in out
    assert "did you mean 'HighErrorRate'" in out
    assert "Traceback" not in out
    result.assert_outcomes(failed=1)
    (run_dir,) = (pytester.path / "out").iterdir()
    report = json.loads((run_dir / "report.json").read_text())
    (scenario,) = report["scenarios"]
    assert scenario["id"] == "typo" and "Unknown alert 'HighErorRate'" in scenario["error"]
    assert "Unknown alert" in (run_dir / "junit.xml").read_text()
    assert (run_dir / "report.html").is_file()


def test_collect_only_prepares_nothing(pytester: pytest.Pytester) -> None:
    _write(pytester, "errors", "HighErrorRate")
    result = pytester.runpytest("--co", "--scenarios-dir", "scen", "scen", "--report-dir", "out")
    result.assert_outcomes()
    assert not (pytester.path / "out").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--parallel", "0"], "Invalid --parallel 0: at least 1"),
     (["--backend", "nope"], "Unknown --backend 'nope'")],
)
def test_bad_run_options_are_a_usage_error(
    pytester: pytest.Pytester, args: list[str], words: str
) -> None:
    """The CLI's words, pytest's usage-error exit, no traceback."""
    result = pytester.runpytest("--co", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert words in err and "Traceback" not in err + result.stdout.str()


def test_sigterm_ends_the_session_like_ctrl_c(pytester: pytest.Pytester) -> None:
    """A cancelled CI job (SIGTERM) unwinds: pytest finishes as interrupted, so the
    session's teardown (every running scenario's stack) runs, instead of dying at once."""
    pytester.makepyfile(test_stop="""
        import os
        import signal

        def test_cancelled():
            os.kill(os.getpid(), signal.SIGTERM)

        def test_never_reached():
            pass
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_stop.py")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*KeyboardInterrupt*", "*SIGTERM*"])
    assert "test_never_reached" not in result.stdout.str()
