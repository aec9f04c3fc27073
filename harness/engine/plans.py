"""Each expectation of a scenario resolved against the rules, intervals and routes.

A plan holds the windows (TIMING.md via ``harness.verdicts.windows``) an expectation is
judged by, so one place answers both "may this `auto` phase end yet?" and "did the
expectation hold?".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import yaml

from harness.durations import parse_duration
from harness.rules.model import AlertRule
from harness.scenarios.model import Expectation, Scenario
from harness.stack.spec import Intervals
from harness.verdicts import windows as w


@dataclass(frozen=True)
class Plan:
    exp: Expectation
    rule: AlertRule
    fire: w.Window  # relative to the start of the `fires.after` phase
    resolve: w.Window  # relative to the end of the `resolves.after` phase
    aftermath: float  # how long after a phase its values can still fire the alert
    first_notification: dict[str, w.Window]  # per receiver, relative to FiredAt
    routes: dict[str, Route]  # per receiver: timers and group_by of its route
    resolved_notification: dict[str, w.Window]  # per receiver, relative to ResolvedAt


def make_plans(
    scenario: Scenario,
    rules: dict[str, AlertRule],
    intervals: Intervals,
    alertmanager_yaml: str | None,
) -> list[Plan]:
    routes = _route_timings(alertmanager_yaml)
    # The target exposes periodically collected gauges (queue depth) up to one
    # collection period late: that widens the late edges (conservative for counters).
    collect = intervals.queue_collect
    # A slowed call is observed when it completes: its phase's effect arrives up to the
    # added latency late, at the fault's start and (calls in flight) after its end.
    lag = {p.name: max((f.exposure_lag() for f in p.faults), default=0.0) for p in scenario.phases}
    plans = []
    for exp in scenario.expect:
        rule = rules[exp.alert]
        fire = w.firing_window(rule, intervals)
        resolve = w.resolve_window(rule, intervals)
        fire_lag = lag.get(exp.fires.after, 0.0) if exp.fires else 0.0
        resolve_lag = lag.get(exp.resolves.after, 0.0) if exp.resolves else 0.0
        during = exp.never_fires.during if exp.never_fires else None
        quiet_lag = lag.get(during, 0.0) if during else 0.0
        receivers = exp.notifies.receivers if exp.notifies else ()
        timing = {r: routes.get(r, Route(w.RouteTiming(), None)).timing for r in receivers}
        plans.append(
            Plan(
                exp=exp,
                rule=rule,
                fire=_later(_later(fire, collect, "collection"), fire_lag, "added latency"),
                resolve=_later(
                    _later(resolve, collect, "collection"), resolve_lag, "added latency"
                ),
                aftermath=w.aftermath(rule, intervals) + collect + quiet_lag,
                first_notification={r: w.first_notification_window(t) for r, t in timing.items()},
                routes={r: routes.get(r, Route(w.RouteTiming(), None)) for r in receivers},
                resolved_notification={
                    r: w.resolved_notification_window(t) for r, t in timing.items()
                },
            )
        )
    return plans


def _later(window: w.Window, seconds: float, why: str) -> w.Window:
    """The window with its late edge ``seconds`` later, the reason in its formula."""
    if seconds <= 0:
        return window
    formula = f"{window.formula} + {why} {w.fmt_seconds(seconds)} s" if window.formula else ""
    return replace(window, end=window.end + seconds, formula=formula)


_TIMERS = {"group_wait": 30.0, "group_interval": 300.0, "repeat_interval": 4 * 3600.0}


@dataclass(frozen=True)
class Route:
    """The route that first names a receiver: its timers and its group_by."""

    timing: w.RouteTiming
    group_by: tuple[str, ...] | None  # None: every label (`...`)

    def group_key(self, labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
        """Which aggregation group an alert with ``labels`` lands in (dispatch/dispatch.go)."""
        if self.group_by is None:
            return tuple(sorted(labels.items()))
        return tuple((k, labels.get(k, "")) for k in self.group_by)


def _route_timings(alertmanager_yaml: str | None) -> dict[str, Route]:
    """Timers and group_by of the first route naming each receiver (inherited from parents)."""
    if not alertmanager_yaml:
        return {}
    doc: Any = yaml.safe_load(alertmanager_yaml) or {}
    found: dict[str, Route] = {}

    def walk(
        route: dict[str, Any], inherited: dict[str, float], group_by: tuple[str, ...] | None
    ) -> None:
        timers = dict(inherited)
        for key in _TIMERS:
            if key in route:
                timers[key] = parse_duration(str(route[key]))
        if "group_by" in route:
            labels = tuple(str(x) for x in route["group_by"] or ())
            group_by = None if "..." in labels else labels
        receiver = route.get("receiver")
        if receiver and receiver not in found:
            found[receiver] = Route(w.RouteTiming(**timers), group_by)
        for child in route.get("routes") or []:
            walk(child, timers, group_by)

    # Alertmanager's default group_by is empty: one group per route.
    walk(doc.get("route") or {}, dict(_TIMERS), ())
    return found
