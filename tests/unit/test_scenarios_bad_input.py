"""Bad scenario files: one small file per case, the exact message pinned beside it.

tests/bad_input/scenarios/<case>.yaml is loaded (cwd tests/bad_input, so the path in
the message is ``scenarios/<case>.yaml``) and checked against the spec's alerts and
receivers; the ScenarioError's text must equal <case>.expected. After an intended
change of wording, regenerate with ``UPDATE_EXPECTED=1 pytest <this file>`` and review
the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.errors import EXIT_BAD_INPUT, ScenarioError
from harness.scenarios import load_scenario, validate_against

BAD_INPUT = Path(__file__).resolve().parents[1] / "bad_input"
CASES = sorted((BAD_INPUT / "scenarios").glob("*.yaml"))
SPEC_ALERTS = {
    "HighErrorRate",
    "HighLatency",
    "HighQueueDepth",
    "DLQGrowing",
    "SlowDatabaseQueries",
    "WorkerStalled",
    "InterventionCreationFailing",
    "NotificationDeliveryFailing",
}
SPEC_RECEIVERS = {"default", "pagerduty", "slack", "slack-product"}


def _load_and_check(relative: Path) -> None:
    for scenario in load_scenario(relative, env={}):
        validate_against(scenario, SPEC_ALERTS, SPEC_RECEIVERS)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_bad_scenario_gives_the_pinned_message(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD_INPUT)
    with pytest.raises(ScenarioError) as info:
        _load_and_check(case.relative_to(BAD_INPUT))
    message = str(info.value)
    expected_file = case.with_suffix(".expected")
    if os.environ.get("UPDATE_EXPECTED"):
        expected_file.write_text(message + "\n", encoding="utf-8")
    assert expected_file.exists(), f"no pinned message; got:\n{message}"
    assert message == expected_file.read_text(encoding="utf-8").rstrip("\n")
    assert info.value.exit_code == EXIT_BAD_INPUT
    assert message.startswith(f"Error in scenarios/{case.name}")


def test_every_pinned_message_has_its_case() -> None:
    orphans = [
        p.name
        for p in (BAD_INPUT / "scenarios").glob("*.expected")
        if not p.with_suffix(".yaml").exists()
    ]
    assert orphans == []
