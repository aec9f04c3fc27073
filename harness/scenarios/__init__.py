"""Scenario files: the model (one schema), the loader with file:line errors, and checks.

Public surface::

    load_scenarios(paths, env=None) -> list[Scenario]
    load_scenario(path, env=None) -> list[Scenario]       # one per variant
    validate_against(scenario, alert_names, receivers)    # ScenarioError with did-you-mean
    select_by_alert(scenarios, alerts) -> list[Scenario]  # --alert NAME
    parse_duration("1h30m") -> 5400.0

The JSON schema export lives in ``harness.scenarios.schema`` (``python -m`` it to
rewrite ``docs/scenario.schema.json``).
"""

from harness.durations import format_duration, parse_duration
from harness.scenarios.fault_kinds import FAULT_KINDS, Fault, FaultBase
from harness.scenarios.loader import load_scenario, load_scenarios, parse_scenario
from harness.scenarios.model import (
    After,
    Expectation,
    Load,
    NeverFires,
    Notifies,
    Phase,
    Scenario,
    Variant,
)
from harness.scenarios.validate import select_by_alert, validate_against

__all__ = [
    "FAULT_KINDS",
    "After",
    "Expectation",
    "Fault",
    "FaultBase",
    "Load",
    "NeverFires",
    "Notifies",
    "Phase",
    "Scenario",
    "Variant",
    "format_duration",
    "load_scenario",
    "load_scenarios",
    "parse_duration",
    "parse_scenario",
    "select_by_alert",
    "validate_against",
]
