"""What can be checked of a scenario before its stack starts, with file and line.

A scenario that could not run is an error of the run (exit 2), never a failed
expectation: the locustfile exists, the load and the phases stay within clear bounds
(a phase of ``max: 0`` or a run of centuries is a typo, not a test). Prometheus's own
duration range is the parser's (``harness.durations``).
"""

from __future__ import annotations

from harness.durations import format_duration
from harness.errors import ScenarioError
from harness.load.command import HARNESS_FILES
from harness.load.sizing import CEILING_RPS
from harness.paths import LOCUSTFILES_DIR
from harness.scenarios.model import Scenario
from harness.yamlsource import KeyPath, format_path

MAX_USERS = 2000  # Locust users: far above what the one-worker target serves
MAX_PHASE_S = 6 * 3600.0  # one phase, real seconds (after the time scale)
MAX_RUN_S = 12 * 3600.0  # a whole scenario, real seconds


def check_runnable(scenario: Scenario, time_scale: float) -> None:
    """ScenarioError at the line of the first thing that would stop the run."""
    load = scenario.load
    if load is not None:
        if not (LOCUSTFILES_DIR / load.locustfile).is_file():
            found = sorted(p.name for p in LOCUSTFILES_DIR.glob("*.py") if p not in HARNESS_FILES)
            _fail(scenario, ("load", "locustfile"),
                  f"No locustfile '{load.locustfile}' in {LOCUSTFILES_DIR}",
                  f"locustfiles there: {', '.join(found) or 'none'}")
        if load.users is not None and load.users > MAX_USERS:
            _fail(scenario, ("load", "users"), _too_many(load.users))
        if load.rate is not None and load.rate > CEILING_RPS:
            _fail(scenario, ("load", "rate"), f"{load.rate:.10g} requests/s is over the target's "
                  f"ceiling of {CEILING_RPS:g} (docs/LOAD.md)")
    total = 0.0
    for i, phase in enumerate(scenario.phases):
        if phase.users is not None and phase.users > MAX_USERS:
            _fail(scenario, ("phases", i, "users"), _too_many(phase.users))
        if phase.duration == "auto":
            if not phase.max:
                _fail(scenario, ("phases", i, "max"), "'max' of an 'auto' phase must be above 0")
            length, key = float(phase.max or 0.0), "max"
        else:
            length, key = float(phase.duration), "duration"
        if length / time_scale > MAX_PHASE_S:
            _fail(scenario, ("phases", i, key), _too_long("A phase", length, time_scale,
                                                           MAX_PHASE_S))
        total += length
    if total / time_scale > MAX_RUN_S:
        _fail(scenario, ("phases",), _too_long("The phases together", total, time_scale,
                                               MAX_RUN_S))


def _too_many(users: int) -> str:
    return f"{users} users is over the limit of {MAX_USERS} (one Locust, one target)"


def _too_long(what: str, seconds: float, time_scale: float, limit: float) -> str:
    return (f"{what} would run {format_duration(seconds / time_scale)} at time scale "
            f"{time_scale:g}, over the limit of {format_duration(limit)}")


def _fail(scenario: Scenario, loc: KeyPath, message: str, hint: str | None = None) -> None:
    raise ScenarioError(message, path=scenario.source, line=scenario.line_of(loc),
                        key=format_path(loc), hint=hint)
