"""Phase plans and fault options: the harness's writer and the locustfile side agree.

The locustfile helpers (locustfiles/common/{phases,faultspec,switch}.py) are standard
library only, so they are imported here without gevent.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from harness.errors import InputError
from harness.load.shape_plan import Phase, read_phase_log, total_duration, write_phases
from harness.paths import LOCUSTFILES_DIR


@pytest.fixture
def common(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    monkeypatch.syspath_prepend(str(LOCUSTFILES_DIR))
    return {n: importlib.import_module(f"common.{n}") for n in ("phases", "faultspec", "switch")}


def test_pure_helpers_do_not_import_gevent() -> None:
    code = (
        "import sys, common.phases, common.faultspec, common.switch; "
        "sys.exit(1 if {'gevent', 'locust'} & set(sys.modules) else 0)"
    )
    env = {"PYTHONPATH": str(LOCUSTFILES_DIR)}
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=30).returncode == 0


PLAN = (
    Phase("warm-up", 5, 2, 2),
    Phase("steady", 10, 4, 4),
    Phase("fault", 10, 4, 4, {"errors": {"ratio": 0.3, "routes": ["/api/grades"]}}),
    Phase("recovery", 5, 4, 4),
)


def test_written_plan_reads_back_identically(tmp_path: Path, common: dict[str, Any]) -> None:
    path = write_phases(tmp_path / "phases.json", PLAN)
    plan = common["phases"].load_plan(str(path))
    assert [(p.name, p.duration, p.users, p.spawn_rate, p.faults) for p in plan.phases] == [
        (p.name, p.duration, p.users, p.spawn_rate, p.faults) for p in PLAN
    ]
    assert plan.total == total_duration(PLAN) == 30
    inline = common["phases"].load_plan(path.read_text())
    assert inline == plan


def test_phase_at_elapsed_time(common: dict[str, Any]) -> None:
    plan = common["phases"].load_plan(
        json.dumps({"phases": [p.to_dict() for p in PLAN]})
    )
    assert plan.at(0)[1].name == "warm-up"
    assert plan.at(4.99)[0] == 0
    assert plan.at(5.0)[1].name == "steady"
    assert plan.at(29.9)[1].name == "recovery"
    assert plan.at(30.0) is None


@pytest.mark.parametrize(
    "doc, message",
    [
        ("[]", "expected an object with a 'phases' list"),
        ('{"phases": []}', "'phases' is empty"),
        ('{"version": 2, "phases": [{}]}', "unsupported version 2"),
        ('{"phases": [{"name": "a", "users": 1}]}', r"phases\[0\]: missing 'duration'"),
        ('{"phases": [{"name": "a", "duration": 0, "users": 1}]}', "duration must be > 0"),
        ('{"phases": [{"name": "a", "duration": 1, "users": 1, "x": 1}]}', "unknown key"),
        ('{"phases": [{"name": "a", "duration": 1, "users": 1, "faults": 3}]}', "faults must"),
        ('{"phases": [', "line 1: invalid JSON"),
    ],
)
def test_bad_plans_are_named(doc: str, message: str, common: dict[str, Any]) -> None:
    with pytest.raises(common["phases"].PlanError, match=message):
        common["phases"].load_plan(doc)


def test_missing_plan_file(common: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(common["phases"].PlanError, match="cannot read phase plan"):
        common["phases"].load_plan(str(tmp_path / "absent.json"))


def test_harness_side_validation(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="duration must be > 0"):
        Phase("x", 0, 1, 1)
    with pytest.raises(InputError, match="unique"):
        write_phases(tmp_path / "p.json", (Phase("a", 1, 1, 1), Phase("a", 1, 1, 1)))


def test_drill_plan(common: dict[str, Any]) -> None:
    faults = {"latency": {"seconds": 1.0}}
    plan = common["phases"].drill_plan(10, 5.0, [10, 20, 30, 0], faults)
    assert [(p.name, p.users, p.faults) for p in plan.phases] == [
        ("warm-up", 5, None), ("steady", 10, None), ("fault", 10, faults),
    ]


def test_phase_log(tmp_path: Path) -> None:
    log = tmp_path / "phases.jsonl"
    rows = [
        {"index": 0, "name": "warm-up", "started_at": 100.0, "users": 2, "faults": None},
        {"index": 1, "name": "fault", "started_at": 105.0, "faults": {"errors": {"ratio": 1}},
         "faults_applied_at": 105.01},
    ]
    log.write_text("".join(json.dumps(r) + "\n" for r in rows))
    marks = read_phase_log(log)
    assert [m.name for m in marks] == ["warm-up", "fault"]
    assert marks[0].extra == {"users": 2} and marks[1].faults_applied_at == 105.01
    assert read_phase_log(tmp_path / "none.jsonl") == ()


# -- fault options (command line and web UI form) -------------------------------------


def test_no_option_no_fault(common: dict[str, Any]) -> None:
    assert common["faultspec"].fault_state({}) == {}


def test_options_to_fault_state(common: dict[str, Any]) -> None:
    state = common["faultspec"].fault_state({
        "fault_errors_ratio": 0.2, "fault_errors_routes": "/api/grades, /api/attendance",
        "fault_latency_seconds": 2.5, "fault_latency_distribution": "tail",
        "fault_slow_db_seconds": 0.3, "fault_worker_mode": "stuck",
        "fault_notifications_fail": "sms=1,email=0.5", "fault_poison_ratio": 0.4,
        "fault_interventions_fail_ratio": 1.0,
    })
    assert state == {
        "errors": {"ratio": 0.2, "status": 500, "routes": ["/api/grades", "/api/attendance"]},
        "latency": {"seconds": 2.5, "ratio": 1.0, "distribution": "tail", "routes": []},
        "slow_db": {"seconds": 0.3, "ratio": 1.0},
        "worker": {"mode": "stuck"},
        "notifications": {"fail_ratio": {"sms": 1.0, "email": 0.5}},
        "interventions": {"handler_fail_ratio": 1.0},
        "eventbus": {"poison_ratio": 0.4},
    }


def test_fault_state_matches_the_target_model(common: dict[str, Any]) -> None:
    """Every field the options produce is a field of harness.target.fault_state.FaultState."""
    from harness.target import fault_state as faults

    spec = common["faultspec"]
    values = {o.dest: o.default for o in spec.FAULT_OPTIONS}
    values.update(fault_errors_ratio=0.5, fault_latency_seconds=1.0, fault_slow_db_seconds=0.1,
                  fault_worker_mode="stuck", fault_notifications_fail="push=0.5",
                  fault_interventions_fail_ratio=0.1, fault_poison_ratio=0.1)
    state = spec.fault_state(values)
    assert set(state) == set(faults.FaultState.model_fields)
    faults.merge_patch(faults.FaultState(), state)  # raises on unknown keys


@pytest.mark.parametrize(
    "values, message",
    [
        ({"fault_errors_ratio": 1.5}, "--fault-errors-ratio: 1.5 is not a ratio"),
        ({"fault_notifications_fail": "fax=1"}, "not CHANNEL=RATIO"),
        ({"fault_notifications_fail": "sms"}, "not CHANNEL=RATIO"),
        ({"fault_poison_ratio": "lots"}, "'lots' is not a number"),
    ],
)
def test_bad_fault_options(values: dict[str, Any], message: str, common: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=message):
        common["faultspec"].fault_state(values)


def test_fault_switch_refuses_remote_and_missing_token(common: dict[str, Any]) -> None:
    switch = common["switch"]
    with pytest.raises(switch.FaultSwitchError, match="loopback"):
        switch.FaultSwitch("http://10.0.0.1:8000", "t")
    with pytest.raises(switch.FaultSwitchError, match="no fault token"):
        switch.FaultSwitch("http://127.0.0.1:8000", "")
