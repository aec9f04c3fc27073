"""The live leg with ``--alertmanager-config``: the user's routes, the notifications the
capture receiver got during a group's replay, and the ``exp_notifications`` verdicts.

The configuration is rendered as ``harness run`` renders it
(``harness.receivers.render``: every receiver posts to the capture receiver, timers
divided by k with a 1 s floor), and the stack's own pieces write and start it
(``harness.stack.alertmanager_config``). Verdicts come at the end of the replay, from
the arrival times (docs/TIMING.md):

- an alert promtool has firing at ``eval_time`` fires live at the latest S + E after
  ``T0 + eval_time/k`` (the exporter serves test time t at ``T0 + t/k``; a scrape within
  S, an evaluation within E);
- Alertmanager sends it, on each route the alert matches (``Route.match``), at the
  group_wait of a new group or the next group_interval tick of an existing one
  (``harness.verdicts.windows``): the later of the two ends, plus the slack.

A receiver that must be notified passes when a firing notification carrying the alert
(its labels exactly, as the payload gives them) arrived by that deadline; one that must
not be fails when one did. Earlier notifications count: the alert may have fired long
before ``eval_time``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.durations import format_ms
from harness.promtool.notifications import NotificationExpectation, load_expectations
from harness.promtool.testfile import TestFile, TestGroup, side_file
from harness.receivers.capture import REDACTED, CaptureReceiver
from harness.receivers.models import Notification
from harness.receivers.render import RenderedAlertmanagerConfig, render_alertmanager_config
from harness.receivers.routes import Route, receivers_for
from harness.verdicts.windows import (
    Window,
    covering,
    existing_group_window,
    first_notification_window,
)

NOTIFIED, NOT_NOTIFIED = "notified", "not notified"
# What the report keeps of each notification: the capture receiver's field names.
OBSERVED_FIELDS = ("receiver", "kind", "config_index", "status", "alertnames", "labels",
                   "alerts", "summary", "dedup_key")


@dataclass(frozen=True)
class Routing:
    """The rendered configuration and the side file's expectations (maybe none)."""

    config: RenderedAlertmanagerConfig
    source: Path
    expectations: list[NotificationExpectation] = field(default_factory=list)
    side_file: Path | None = None


@dataclass(frozen=True)
class NotificationVerdict:
    where: str  # side file:line
    key: str  # the case: tests[0].alert_rule_test[1]
    alertname: str
    eval_time: str
    receiver: str
    expected: str  # notified / not notified
    status: str  # pass / fail
    message: str = ""


@dataclass(frozen=True)
class Timing:
    """One replay's clock: wall time of test time 0, time scale, scaled S and E."""

    t0: float
    k: float
    scrape_s: float
    evaluation_s: float

    def test_time(self, wall: float) -> str:
        """A wall instant as test time, to the second."""
        return format_ms(round((wall - self.t0) * self.k) * 1000)


def prepare_routing(alertmanager_config: Path, k: float, test_file: TestFile) -> Routing:
    """Render the configuration (bad input raises) and read the side file if there is one."""
    config = render_alertmanager_config(alertmanager_config, time_scale=k)
    path = side_file(test_file.path)
    if not path.is_file():
        return Routing(config, alertmanager_config)
    return Routing(config, alertmanager_config,
                   load_expectations(path, test_file, config.receivers), path)


def carries(notification: Notification, labels: Mapping[str, str]) -> bool:
    """The notification is about the alert with exactly these labels. A payload without
    per-alert labels (a Slack message) is matched by alertname and common labels."""
    if notification.alerts:
        return any(dict(a) == dict(labels) for a in notification.alerts)
    return (labels.get("alertname") in notification.alertnames
            and notification.labels.items() <= labels.items())


def notify_window(tree: Route, labels: Mapping[str, str]) -> Window:
    """After FiredAt, when every route the alert matches has sent it: the group_wait of a
    new group or the next group_interval tick of an existing one, whichever is later."""
    per_route = [(r, max(first_notification_window(r), existing_group_window(r),
                         key=lambda w: w.end)) for r in tree.match(labels) or [tree]]
    return covering(per_route)


def deadline_s(eval_ms: int, labels: Mapping[str, str], tree: Route, timing: Timing,
               ) -> tuple[float, str]:
    """Seconds after T0 by which the alert firing at ``eval_ms`` has been routed, and the
    formula in words (wall seconds)."""
    window = notify_window(tree, labels)
    reach = timing.scrape_s + timing.evaluation_s
    due = eval_ms / 1000 / timing.k + reach + window.end + window.slack
    timers = ", ".join(
        f"{'GW' if r.group_wait_s >= r.group_interval_s else 'GI'} "
        f"{max(r.group_wait_s, r.group_interval_s):g}s at {r.path}" for r in tree.match(labels))
    return due, (f"eval_time + k x (S {timing.scrape_s:g}s + E {timing.evaluation_s:g}s + "
                 f"{timers} + slack {window.slack:g}s)")


def judge(expectation: NotificationExpectation, notifications: list[Notification],
          tree: Route, timing: Timing) -> list[NotificationVerdict]:
    """One verdict per receiver of the entry, over every alert it is about."""
    case = expectation.case
    out = []
    for receiver, must in [*((r, True) for r in expectation.receivers),
                           *((r, False) for r in expectation.not_receivers)]:
        problems = [p for a in expectation.alerts
                    if (p := _problem(receiver, must, a.labels, case.eval_time_ms,
                                      notifications, tree, timing))]
        out.append(NotificationVerdict(
            expectation.where, expectation.key, case.alertname,
            format_ms(case.eval_time_ms), receiver, NOTIFIED if must else NOT_NOTIFIED,
            "fail" if problems else "pass",
            f"{expectation.where}: " + "; ".join(problems) if problems else ""))
    return out


def _problem(receiver: str, must: bool, labels: Mapping[str, str], eval_ms: int,
             notifications: list[Notification], tree: Route, timing: Timing) -> str:
    due, how = deadline_s(eval_ms, labels, tree, timing)
    about = [n for n in notifications if carries(n, labels) and n.status != "resolved"]
    mine = [n for n in about if n.receiver == receiver]
    in_time = [n for n in mine if n.received_at - timing.t0 <= due]
    shown = "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    by = format_ms(round(due * timing.k) * 1000)
    routes = (f"the routing tree sends it to {receivers_for(tree, labels)} "
              f"({', '.join(r.path for r in tree.match(labels))})")
    if must and not in_time:
        if mine:
            seen = f"it came late, at {timing.test_time(mine[0].received_at)}"
        elif about:
            seen = ("notifications of it went to "
                    f"{sorted({n.receiver for n in about})}")
        else:
            seen = "no receiver was notified of it"
        return (f"receiver {receiver!r} was not notified of {shown} by {by} test time "
                f"({how}): {seen}; {routes}")
    if not must and in_time:
        return (f"receiver {receiver!r} was notified of {shown} at "
                f"{timing.test_time(in_time[0].received_at)} test time, and must not be; "
                f"{routes}")
    return ""


def settle(routing: Routing, group: TestGroup, receiver: CaptureReceiver,
           timing: Timing) -> tuple[list[NotificationVerdict], list[dict[str, Any]]]:
    """After the group's last case: wait until every alert its cases expect has reached
    every receiver the routes send it to, or its deadline passed (and, for a receiver
    that must not be notified, until the deadline); then the verdicts and the list."""
    tree = routing.config.route_tree
    waits: list[tuple[float, Callable[[Notification], bool]]] = []
    for case in group.alert_cases:
        for alert in case.exp_alerts:
            due = timing.t0 + deadline_s(case.eval_time_ms, alert.labels, tree, timing)[0]
            waits += [(due, _arrived(r, alert.labels)) for r in receivers_for(tree, alert.labels)]
    mine = [e for e in routing.expectations if e.group == group.index]
    for one in mine:
        for alert in one.alerts:
            due = timing.t0 + deadline_s(one.case.eval_time_ms, alert.labels, tree, timing)[0]
            waits += [(due, _arrived(r, alert.labels)) for r in one.receivers]
            waits += [(due, _never) for _ in one.not_receivers]
    for due, predicate in sorted(waits, key=lambda w: w[0]):
        receiver.wait_for(predicate, max(0.0, due - time.time()))
    notifications = receiver.notifications()
    verdicts = [v for one in mine for v in judge(one, notifications, tree, timing)]
    return verdicts, observed(notifications, timing, group.index, routing.config.secrets)


def _arrived(receiver: str, labels: Mapping[str, str]) -> Callable[[Notification], bool]:
    return lambda n: n.receiver == receiver and n.status != "resolved" and carries(n, labels)


def _never(_: Notification) -> bool:
    """A receiver that must not be notified: its deadline is waited for in full."""
    return False


def observed(notifications: list[Notification], timing: Timing, group: int,
             secrets: tuple[str, ...]) -> list[dict[str, Any]]:
    """The notifications of one replay as the report lists them: arrival in test time,
    the capture receiver's fields, the payload's field names; secrets redacted."""
    out = []
    for n in sorted(notifications, key=lambda n: n.seq):
        record = {"group": group, "at": timing.test_time(n.received_at),
                  **{name: getattr(n, name) for name in OBSERVED_FIELDS}}
        record["alertnames"] = list(n.alertnames)
        record["alerts"] = [dict(a) for a in n.alerts]
        record["payload_fields"] = sorted(n.payload) if isinstance(n.payload, dict) else []
        out.append(_scrubbed(record, secrets))
    return out


def _scrubbed(node: Any, secrets: tuple[str, ...]) -> Any:
    """Every string with the configuration's secrets (keys, original URLs) replaced, as
    the reports redact them; a routing or service key field is redacted whole."""
    if isinstance(node, dict):
        return {k: REDACTED if k in ("routing_key", "service_key") else _scrubbed(v, secrets)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_scrubbed(v, secrets) for v in node]
    if isinstance(node, str):
        for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
            node = node.replace(secret, REDACTED)
    return node
