"""Checked before any stack starts, with file and line: a scenario that could not run
is an error of the run (exit 2), never a failed expectation."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from report_support import prepared

from harness.engine.suite import Suite, prepare_run
from harness.errors import EXIT_BAD_INPUT, ScenarioError
from harness.options import RunOptions
from harness.paths import PROJECT_DIR
from harness.scenarios.loader import load_scenario

HEAD = "name: s\n"
PHASES = "phases:\n  - {name: fault, duration: 5m}\n"
EXPECT = "expect:\n  - {alert: HighErrorRate, fires: {after: fault}}\n"


def _choose(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    options = replace(RunOptions(), report_dir=tmp_path / "out")  # time scale 60
    Suite.open(options, prepared()).choose(load_scenario(path))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (HEAD + "load: {locustfile: nosuch.py, users: 5}\n" + PHASES + EXPECT, 2,
         "No locustfile 'nosuch.py'"),
        (HEAD + "load: {locustfile: school.py, users: 1000000000}\n" + PHASES + EXPECT, 2,
         "1000000000 users is over the limit of 2000"),
        (HEAD + "load: {locustfile: school.py, rate: 1000000}\n" + PHASES + EXPECT, 2,
         "1000000 requests/s is over the target's ceiling of 3800"),
        (HEAD + "load: {locustfile: school.py, users: 5}\nphases:\n"
         "  - {name: fault, duration: 5m, users: 100000}\n" + EXPECT, 4,
         "100000 users is over the limit"),
        (HEAD + "phases:\n  - {name: fault, duration: auto, max: 0}\n" + EXPECT, 3,
         "'max' of an 'auto' phase must be above 0"),
        (HEAD + "phases:\n  - {name: fault, duration: 200y}\n" + EXPECT, 3,
         "A phase would run"),
        (HEAD + "phases:\n" + "".join(f"  - {{name: p{i}, duration: 15d}}\n" for i in range(3))
         + "  - {name: fault, duration: 15d}\n" + EXPECT, 2,
         "The phases together would run 1d at time scale 60, over the limit of 12h"),
    ],
)
def test_unrunnable_scenarios_are_refused_with_their_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        _choose(tmp_path, text)
    assert info.value.exit_code == EXIT_BAD_INPUT
    assert info.value.line == line and str(info.value.path).endswith("s.yaml")
    assert words in str(info.value)
    assert not (tmp_path / "out").exists()  # before any stack or folder


def test_the_same_scenario_within_bounds_is_runnable(tmp_path: Path) -> None:
    _choose(tmp_path, HEAD + "load: {locustfile: school.py, users: 2000}\n" + PHASES + EXPECT)


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool not installed")
def test_templates_that_do_not_render_are_said_before_any_stack(tmp_path: Path) -> None:
    """As `harness lint` says it: Alertmanager would drop these notifications. A note, not
    an error: scenarios pin what such a configuration does (tests/integration/spec)."""
    config = PROJECT_DIR / "tests" / "bad_input" / "lint" / "am_template_render.yml"
    options = replace(RunOptions(), alertmanager_config=config, report_dir=tmp_path)
    notes = prepare_run(options).notes
    assert any("fails to render" in n and "shout" in n for n in notes), notes
