"""The fault options a locustfile offers (command line and web UI form), and the fault
state they stand for. Standard library only.

Field names follow the target's ``FaultState`` (harness/target/fault_state.py). A section is
sent only when its switch is on (a ratio or seconds above 0, worker mode 'stuck'), so a
run that asks for no fault leaves the target's faults alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CHANNELS = ("email", "sms", "push", "in_app")
LATENCY_DISTRIBUTIONS = ("fixed", "uniform", "lognormal", "tail")


@dataclass(frozen=True)
class FaultOption:
    flag: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


FAULT_OPTIONS: tuple[FaultOption, ...] = (
    FaultOption("--fault-errors-ratio", float, 0.0, "Fault: share of /api requests answered "
                "with an error status (0-1; 0 = off)"),
    FaultOption("--fault-errors-status", int, 500, "Fault: status of injected errors (500-599)"),
    FaultOption("--fault-errors-routes", str, "", "Fault: routes for errors, comma-separated "
                "templates like /api/grades (empty = every /api route)"),
    FaultOption("--fault-latency-seconds", float, 0.0, "Fault: added latency in seconds "
                "(0 = off)"),
    FaultOption("--fault-latency-ratio", float, 1.0, "Fault: share of requests delayed (0-1)"),
    FaultOption("--fault-latency-distribution", str, "fixed", "Fault: latency distribution",
                LATENCY_DISTRIBUTIONS),
    FaultOption("--fault-latency-routes", str, "", "Fault: routes for latency, comma-separated "
                "(empty = every /api route)"),
    FaultOption("--fault-slow-db-seconds", float, 0.0, "Fault: added seconds per database "
                "statement (0 = off)"),
    FaultOption("--fault-slow-db-ratio", float, 1.0, "Fault: share of statements slowed (0-1)"),
    FaultOption("--fault-worker-mode", str, "normal", "Fault: worker 'stuck' completes no job",
                ("normal", "stuck")),
    FaultOption("--fault-notifications-fail", str, "", "Fault: notification failure ratio per "
                "channel, e.g. sms=1,email=0.5"),
    FaultOption("--fault-interventions-fail-ratio", float, 0.0, "Fault: share of intervention "
                "event handlers that fail (0-1)"),
    FaultOption("--fault-poison-ratio", float, 0.0, "Fault: share of EventBus events that are "
                "poison and end in the dead-letter stream (0-1)"),
)


def _routes(value: str) -> list[str]:
    return [r.strip() for r in value.split(",") if r.strip()]


def _channel_ratios(value: str) -> dict[str, float]:
    ratios: dict[str, float] = {}
    for item in _routes(value):
        channel, sep, ratio = item.partition("=")
        channel = channel.strip()
        if not sep or channel not in CHANNELS:
            raise ValueError(
                f"--fault-notifications-fail: {item!r} is not CHANNEL=RATIO with CHANNEL in "
                f"{', '.join(CHANNELS)}"
            )
        ratios[channel] = _ratio(ratio, f"--fault-notifications-fail {channel}")
    return ratios


def _ratio(value: Any, name: str) -> float:
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a number") from None
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"{name}: {ratio:g} is not a ratio between 0 and 1")
    return ratio


def fault_state(values: Mapping[str, Any]) -> dict[str, Any]:
    """The partial fault state asked for by option values (keyed by dest); {} = no fault.

    ValueError names the option when a value is out of range or malformed.
    """

    def v(opt: str) -> Any:
        return values.get(opt, next(o.default for o in FAULT_OPTIONS if o.dest == opt))

    state: dict[str, Any] = {}
    ratio = _ratio(v("fault_errors_ratio"), "--fault-errors-ratio")
    if ratio > 0:
        state["errors"] = {
            "ratio": ratio,
            "status": int(v("fault_errors_status")),
            "routes": _routes(v("fault_errors_routes")),
        }
    seconds = float(v("fault_latency_seconds"))
    if seconds > 0:
        state["latency"] = {
            "seconds": seconds,
            "ratio": _ratio(v("fault_latency_ratio"), "--fault-latency-ratio"),
            "distribution": v("fault_latency_distribution"),
            "routes": _routes(v("fault_latency_routes")),
        }
    seconds = float(v("fault_slow_db_seconds"))
    if seconds > 0:
        state["slow_db"] = {
            "seconds": seconds,
            "ratio": _ratio(v("fault_slow_db_ratio"), "--fault-slow-db-ratio"),
        }
    if v("fault_worker_mode") == "stuck":
        state["worker"] = {"mode": "stuck"}
    channels = _channel_ratios(v("fault_notifications_fail"))
    if channels:
        state["notifications"] = {"fail_ratio": channels}
    ratio = _ratio(v("fault_interventions_fail_ratio"), "--fault-interventions-fail-ratio")
    if ratio > 0:
        state["interventions"] = {"handler_fail_ratio": ratio}
    ratio = _ratio(v("fault_poison_ratio"), "--fault-poison-ratio")
    if ratio > 0:
        state["eventbus"] = {"poison_ratio": ratio}
    return state
