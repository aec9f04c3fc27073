"""Each expectation of a scenario resolved against the rules, intervals and routes.

A plan holds the windows (``harness.verdicts.windows``) an expectation is judged by, so
one place answers both "may this `auto` phase end yet?" and "did the expectation hold?".
Notification windows follow the routes the alert's labels match in the rendered route
tree (``Route.match``: matchers, ``continue``, inherited and per-route timers). Before
the run those labels are the rule's static ones, the expectation's label selector and
alertname; the judge asks again with the labels the alert fired with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.receivers.models import Notification
from harness.receivers.routes import Route, routes_to
from harness.rules.model import AlertRule
from harness.scenarios.model import Expectation, Scenario
from harness.stack.spec import Intervals
from harness.verdicts import windows as w
from harness.verdicts.budget import Budget


@dataclass(frozen=True)
class Plan:
    exp: Expectation
    rule: AlertRule
    fire: w.Window  # relative to the start of the `fires.after` phase
    resolve: w.Window  # relative to the end of the `resolves.after` phase
    aftermath: float  # how long after a phase its values can still fire the alert
    tree: Route  # the route tree Alertmanager runs (rendered, timers scaled)
    # Per expected receiver, from the labels known before the run:
    first_notification: dict[str, w.Window]  # relative to FiredAt
    resolved_notification: dict[str, w.Window]  # relative to ResolvedAt
    # The scenario's own bounds (``within:``), relative to the `fires.after` phase's start.
    fire_budget: Budget | None = None
    notify_budget: Budget | None = None

    def routes_to(self, receiver: str, labels: Mapping[str, str]) -> tuple[Route, ...]:
        return receiver_routes(self.tree, receiver, labels)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """An alert instance with these labels is one the expectation is scoped to."""
        return all(labels.get(k) == v for k, v in self.exp.labels.items())

    def carried_by(self, notification: Notification) -> bool:
        """Whether a notification is about the expectation's alert instances: with
        per-alert labels in its payload (webhook, PagerDuty's default details), one of them
        must match the expectation's ``labels:``; without them (a Slack text) the
        alertname must do. An instance joining a group another one opened is in a later
        notification of the same group: the group's earlier one is not its (seen with one
        core busy: worker-stalled-dead took the notifications queue's page for the reports
        queue's, "notified 0.99 s early")."""
        if not self.exp.labels or not notification.alerts:
            return True
        return any(
            labels.get("alertname") == self.exp.alert and self.matches(labels)
            for labels in notification.alerts
        )


def make_plans(
    scenario: Scenario,
    rules: dict[str, AlertRule],
    intervals: Intervals,
    tree: Route,
    time_scale: float = 1.0,
) -> list[Plan]:
    """``time_scale``: k, by which the scenario's budgets (``within:``) are divided."""
    # The target exposes periodically collected gauges (queue depth) up to one
    # collection period late: that widens the late edges (conservative for counters).
    collect = intervals.queue_collect
    # A slowed call is observed when it completes: its phase's effect arrives up to the
    # added latency late, at the fault's start and (calls in flight) after its end.
    lag = {p.name: max((f.exposure_lag() for f in p.faults), default=0.0) for p in scenario.phases}
    plans = []
    for exp in scenario.expect:
        rule = rules[exp.alert]
        fire_lag = lag.get(exp.fires.after, 0.0) if exp.fires else 0.0
        resolve_lag = lag.get(exp.resolves.after, 0.0) if exp.resolves else 0.0
        during = exp.never_fires.during if exp.never_fires else None
        quiet_lag = lag.get(during, 0.0) if during else 0.0
        receivers = exp.notifies.receivers if exp.notifies else ()
        known = known_labels(rule, exp)
        reach = {r: receiver_routes(tree, r, known) for r in receivers}
        plans.append(
            Plan(
                exp=exp,
                rule=rule,
                fire=w.firing_window(rule, intervals)
                .later(collect, "collection")
                .later(fire_lag, "added latency"),
                resolve=w.resolve_window(rule, intervals)
                .later(collect, "collection")
                .later(resolve_lag, "added latency"),
                aftermath=w.aftermath(rule, intervals) + collect + quiet_lag,
                tree=tree,
                first_notification={
                    r: w.covering([(x, w.first_notification_window(x)) for x in routes])
                    for r, routes in reach.items()
                },
                resolved_notification={
                    r: w.covering([(x, w.resolved_notification_window(x)) for x in routes])
                    for r, routes in reach.items()
                },
                fire_budget=budget(exp, "fires", time_scale),
                notify_budget=budget(exp, "notifies", time_scale),
            )
        )
    return plans


def budget(exp: Expectation, key: str, time_scale: float) -> Budget | None:
    """The ``within:`` of ``fires`` or ``notifies`` (``key``), from the start of the
    `fires.after` phase."""
    if exp.fires is None:
        return None
    part = exp.fires if key == "fires" else exp.notifies
    within = part.within if part is not None else None
    if within is None:
        return None
    return Budget(within, time_scale, f"'{exp.fires.after}' started")


def known_labels(rule: AlertRule, exp: Expectation) -> dict[str, str]:
    """The alert's labels known before a run: the rule's static ones (not templated
    values), those the expectation is scoped to, and alertname."""
    static = {k: v for k, v in rule.labels.items() if "{{" not in v}
    return {**static, **exp.labels, "alertname": exp.alert}


def receiver_routes(tree: Route, receiver: str, labels: Mapping[str, str]) -> tuple[Route, ...]:
    """The routes through which an alert with ``labels`` reaches ``receiver``.

    If the labels reach it through none (a route matching a label only known once the
    alert fires, or an expectation the judge will find wrong), every route naming the
    receiver, so its window covers them all; the root if none names it.
    """
    matched = routes_to(tree, receiver, labels)
    if matched:
        return matched
    return tuple(r for r in tree.walk() if r.receiver == receiver) or (tree,)
