"""Loading scenarios: the model, positions, variants, ${ENV}, directories, --alert.

Bad scenario files and their messages: tests/bad_input/scenarios/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.scenarios import (
    load_scenario,
    load_scenarios,
    parse_scenario,
    select_by_alert,
    validate_against,
)
from harness.scenarios.fault_kinds import ErrorsFault, WorkerFrozenFault

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
FULL = FIXTURES / "high-error-rate.yaml"
MINIMAL = """\
phases:
  - name: fault
    duration: 5m
expect:
  - alert: HighErrorRate
    fires: {after: fault}
"""


def test_full_fixture_loads_one_scenario_per_variant() -> None:
    scenarios = load_scenario(FULL)
    assert [s.id for s in scenarios] == ["high-error-rate[just-above]", "high-error-rate[below]"]
    above, below = scenarios
    assert above.variant == "just-above" and above.source == FULL
    assert above.marks == ("alerts",)
    assert above.load is not None and (above.load.users, above.load.spawn_rate) == (12, 12.0)
    warmup, fault, recovery = above.phases
    assert (warmup.duration, fault.duration, fault.max, recovery.max) == (120, "auto", 1800, 1800)
    assert fault.faults == (ErrorsFault(kind="errors", ratio=0.08, routes=("/api/grades",)),)
    assert below.phase("fault").faults[0].params() == {
        "ratio": 0.03,
        "status": 500,
        "routes": ("/api/grades",),
    }
    high = above.expect[0]
    assert high.fires is not None and high.fires.after == "fault"
    assert high.resolves is not None and high.resolves.after == "fault"
    assert high.labels == {"severity": "critical"}
    assert high.notifies is not None and high.notifies.receivers == ("pagerduty",)
    assert high.notifies.resolved and high.notifies.fields == {"severity": "critical"}
    assert above.expect[1].never_fires is not None and above.expect[1].never_fires.during is None
    assert above.expect[2].never_fires is not None and above.expect[2].never_fires.during == "fault"
    # The variant's own expect list replaces the scenario's.
    assert [e.describe() for e in below.expect] == ["HighErrorRate never fires during 'fault'"]


def test_positions_point_into_the_file() -> None:
    above, below = load_scenario(FULL)
    assert above.line_of(("expect", 0, "alert")) == 23
    assert above.line_of(("expect", 0, "notifies", "receivers", 0)) == 28
    assert above.line_of(("phases", 1, "faults", 0, "ratio")) == 40  # from the variant
    assert below.line_of(("phases", 1, "faults", 0, "routes")) == 18  # from the scenario
    assert below.line_of(("expect", 0, "alert")) == 45  # the variant's expect list
    assert (above.line, below.line) == (37, 41)  # a variant's test sits on its entry
    assert above.line_of(("expect", 0, "no-such-key")) == 23


def test_minimal_file_gets_its_name_from_the_stem() -> None:
    (scenario,) = load_scenario(FIXTURES / "worker-frozen.yaml")
    assert scenario.id == scenario.name == "worker-frozen"
    assert scenario.variant is None and scenario.load is None
    assert scenario.line == 2  # the first key, after the comment
    assert scenario.phases[0].duration == 5400
    assert scenario.phases[0].faults == (WorkerFrozenFault(kind="worker_frozen"),)
    assert scenario.alerts() == ["WorkerStalled"]


def test_alerts_lists_each_name_once_in_order() -> None:
    above, _ = load_scenario(FULL)
    assert above.alerts() == ["HighErrorRate", "HighLatency", "SlowDatabaseQueries"]
    assert above.expect[0].describe() == (
        "HighErrorRate{severity=\"critical\"} fires after 'fault', resolves after 'fault', "
        "notifies pagerduty"
    )


def test_directory_load_sorted() -> None:
    found = load_scenarios([FIXTURES])
    assert [s.id for s in found] == [
        "high-error-rate[just-above]",
        "high-error-rate[below]",
        "worker-frozen",
    ]


def test_env_interpolation() -> None:
    text = MINIMAL + "load:\n  locustfile: ${LF}\n  users: ${USERS:-4}\ndescription: $${LF}\n"
    (scenario,) = parse_scenario(text, "x.yaml", env={"LF": "school.py"})
    assert scenario.load is not None
    assert (scenario.load.locustfile, scenario.load.users) == ("school.py", 4)
    assert scenario.description == "${LF}"
    (scenario,) = parse_scenario(text, "x.yaml", env={"LF": "a.py", "USERS": "9"})
    assert scenario.load is not None and scenario.load.users == 9


def test_env_read_at_load_time(monkeypatch: pytest.MonkeyPatch) -> None:
    text = MINIMAL + "description: ${HARNESS_TEST_DESCRIPTION}\n"
    monkeypatch.setenv("HARNESS_TEST_DESCRIPTION", "from the environment")
    (scenario,) = parse_scenario(text, "x.yaml")
    assert scenario.description == "from the environment"


def test_validate_against_accepts_known_names() -> None:
    for scenario in load_scenario(FULL):
        validate_against(
            scenario,
            {"HighErrorRate", "HighLatency", "SlowDatabaseQueries"},
            {"pagerduty", "slack"},
        )


def test_select_by_alert() -> None:
    scenarios = load_scenarios([FIXTURES])
    picked = select_by_alert(scenarios, ["WorkerStalled"])
    assert [s.id for s in picked] == ["worker-frozen"]
    assert len(select_by_alert(scenarios, ["HighErrorRate"])) == 2
    with pytest.raises(InputError, match="alert 'WorkerStaled' -> did you mean 'WorkerStalled'"):
        select_by_alert(scenarios, ["WorkerStaled"])


def test_fault_defaults_filled_in() -> None:
    def fault(body: str) -> str:
        return MINIMAL.replace("duration: 5m", f"duration: 5m\n    faults:\n      - {body}")

    (ok,) = parse_scenario(fault("{kind: dlq_flood, events: 200, rate: 20}"), "x.yaml")
    assert ok.phases[0].faults[0].params()["event_type"] == "GradePosted"
