"""A failing scenario item reads as a report: phases, alert timelines, notifications,
verdicts, each in seconds after the scenario started; a run that broke says only why."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_support import T0, scenario

from harness.engine.result import ScenarioResult
from harness.pytest_plugin.failure import describe_failure
from harness.scenarios.loader import load_scenario
from harness.scenarios.model import Scenario

SCENARIO = """\
name: high-error-rate
description: >
  Errors above   five percent
  page the on-call.
phases:
  - {name: warmup, duration: 5m}
  - {name: fault, duration: 8m, faults: [{kind: errors, ratio: 0.15}]}
  - {name: recovery, duration: 7m}
expect:
  - {alert: HighErrorRate, fires: {after: fault}, resolves: {after: fault}}
"""


@pytest.fixture
def scen(tmp_path: Path) -> Scenario:
    path = tmp_path / "high-error-rate.yaml"
    path.write_text(SCENARIO)
    (loaded,) = load_scenario(path)
    return loaded


def _sections(text: str) -> dict[str, list[str]]:
    """Heading line -> the lines under it (a blank line ends a section)."""
    blocks = text.split("\n\n")
    return {b.splitlines()[0]: b.splitlines()[1:] for b in blocks[1:]}


def test_failure_shows_every_section_relative_to_start(scen: Scenario) -> None:
    text = describe_failure(scen, scenario(failing=True))
    head = text.split("\n\n")[0].splitlines()
    assert head[0] == f"scenario high-error-rate ({scen.source}:1)"
    assert head[1] == "  Errors above five percent page the on-call."  # whitespace folded
    sections = _sections(text)
    assert list(sections) == [
        "phases (s after start):",
        "alert timelines (s after start; Prometheus evaluation times):",
        "notifications (s after start):",
        "verdicts:",
    ]
    phases = sections["phases (s after start):"]
    assert phases[0].split() == ["warmup", "0.00", "..", "5.00", "(no", "fault)"]
    assert phases[1].split() == ["fault", "5.00", "..", "13.00", "(errors)"]
    (timeline,) = sections["alert timelines (s after start; Prometheus evaluation times):"]
    # alertname is the key already; a never-resolved episode shows "-"
    assert timeline == "  HighErrorRate{}: pending 7.00, firing 12.00, resolved -"
    (note,) = sections["notifications (s after start):"]
    assert note.split() == ["13.00", "pagerduty", "firing", "HighErrorRate"]
    verdicts = sections["verdicts:"]
    assert verdicts[0].startswith("  [ok] HighErrorRate fires")
    assert verdicts[1].startswith("  [FAIL] HighErrorRate resolves")
    assert verdicts[-1] == "  note: note "


def test_labels_other_than_alertname_are_shown_and_silence_is_said(scen: Scenario) -> None:
    result = scenario()
    result.episodes["HighErrorRate"][0].labels["route"] = "/api/x"
    result.episodes["QueueBacklog"] = []
    result.notifications = []
    text = describe_failure(scen, result)
    assert "HighErrorRate{route=/api/x}: pending 7.00, firing 12.00, resolved 17.00" in text
    assert "  QueueBacklog: never pending or firing" in text
    assert "notifications (s after start):" not in text


def test_a_run_that_broke_says_only_why(scen: Scenario) -> None:
    result = ScenarioResult("high-error-rate", scen.source, T0, T0, error="prometheus exited (1)")
    sections = _sections(describe_failure(scen, result))
    assert sections == {"could not run:": ["  prometheus exited (1)"]}
