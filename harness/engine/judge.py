"""Verdicts for every expectation of a scenario, from what the run recorded.

Alert times come from Prometheus's ALERTS series (evaluation-time precise, see
``history``); notification times from the capture receiver's arrival clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from harness.engine.explain import closest, fired_otherwise, missing_fields, short
from harness.engine.history import Episode
from harness.engine.plans import Plan
from harness.engine.result import ExpectationVerdict, PhaseMark
from harness.engine.series import AlertSeries
from harness.receivers.models import Notification
from harness.receivers.routes import Route
from harness.verdicts.budget import within_budget
from harness.verdicts.verdict import Outcome, Verdict, judge, judge_never_fires
from harness.verdicts.windows import (
    Window,
    covering,
    existing_group_window,
    first_notification_window,
    resolved_notification_window,
)


def judge_scenario(
    scenario_id: str,
    plans: Iterable[Plan],
    phases: Mapping[str, PhaseMark],
    episodes: Mapping[str, list[Episode]],
    notifications: list[Notification],
    run: tuple[float, float],
    *,
    delivery_failures: Mapping[str, list[str]] | None = None,
    series: Mapping[str, AlertSeries] | None = None,
) -> list[ExpectationVerdict]:
    """``delivery_failures``: receiver -> Alertmanager's reasons for failed sends;
    ``series``: alert -> its value over the run (says how close a quiet alert came)."""
    out: list[ExpectationVerdict] = []
    for plan in plans:
        every = episodes.get(plan.exp.alert, [])
        eps = [e for e in every if plan.matches(e.labels)]
        values = (series or {}).get(plan.exp.alert)
        verdicts = _judge_plan(scenario_id, plan, phases, eps, notifications, run, every, values)
        out += [_explain(v, delivery_failures or {}) for v in verdicts]
    return out


def _explain(v: ExpectationVerdict, failures: Mapping[str, list[str]]) -> ExpectationVerdict:
    """Quote Alertmanager's reason on a notification that never arrived."""
    kind, _, receiver = v.check.partition(":")
    reasons = failures.get(receiver)
    if v.passed or not reasons or kind not in ("notifies", "resolved_notification"):
        return v
    why = "; ".join(reasons[:2])
    verdict = replace(v.verdict, message=f"{v.verdict.message}. Alertmanager: {why}")
    return replace(v, verdict=verdict)


def _judge_plan(
    sid: str,
    plan: Plan,
    phases: Mapping[str, PhaseMark],
    eps: list[Episode],
    notifications: list[Notification],
    run: tuple[float, float],
    every: list[Episode],
    values: AlertSeries | None = None,
) -> list[ExpectationVerdict]:
    """``eps``: the alert's episodes matching the expectation's labels; ``every``: all;
    ``values``: the alert's expression over the run, if charted."""
    exp, alert = plan.exp, plan.exp.alert
    if exp.never_fires is not None:
        never = _never_fires_verdict(plan, phases, eps, run, values)
        return [ExpectationVerdict.of(sid, alert, "never_fires", never)]
    verdicts: list[ExpectationVerdict] = []
    fired: Episode | None = None
    t0 = run[0]
    if exp.fires is not None:
        phase = phases[exp.fires.after]
        fired, fires = _fires_verdict(plan, phase, eps, run, values, every)
        verdicts.append(ExpectationVerdict.of(sid, alert, "fires", fires))
        t0 = phase.start
    if exp.resolves is not None:
        resolves = _resolves_verdict(plan, phases[exp.resolves.after], eps, run)
        verdicts.append(ExpectationVerdict.of(sid, alert, "resolves", resolves))
    if exp.notifies is not None:
        verdicts += _judge_notifications(sid, plan, fired, notifications, run, every, t0)
    return verdicts


def _never_fires_verdict(
    plan: Plan,
    phases: Mapping[str, PhaseMark],
    eps: list[Episode],
    run: tuple[float, float],
    values: AlertSeries | None,
) -> Verdict:
    """Quiet over the phase it names (plus its aftermath), else over the whole run."""
    assert plan.exp.never_fires is not None
    during = plan.exp.never_fires.during
    if during:
        p = phases[during]
        ref, watch = p.start, (0.0, p.end - p.start + plan.aftermath)
        where, reference = f"phase '{during}'", f"'{during}' started"
    else:
        ref, watch = run[0], (0.0, run[1] - run[0])
        where, reference = "the scenario", "the scenario started"
    spans = [
        (e.fired_at - ref, (e.resolved_at - ref) if e.resolved_at else None)
        for e in eps
        if e.fired_at is not None
    ]
    never = judge_never_fires(plan.exp.subject(), spans, watch, reference=reference, during=where)
    if never.outcome is Outcome.QUIET:
        never = closest(never, values, plan.exp.labels, ref, ref + watch[1])
    return never


def _fires_verdict(
    plan: Plan,
    phase: PhaseMark,
    eps: list[Episode],
    run: tuple[float, float],
    values: AlertSeries | None,
    every: list[Episode],
) -> tuple[Episode | None, Verdict]:
    """The first firing at or after the run began (one before the phase is "early");
    judged against the rule-derived window, then the scenario's budget if it has one."""
    candidates = [e for e in eps if e.fired_at is not None and e.fired_at >= run[0]]
    fired = candidates[0] if candidates else None
    observed = fired.fired_at - phase.start if fired and fired.fired_at else None
    fires = judge(
        plan.exp.subject(),
        "fired",
        observed,
        plan.fire.earlier(phase.faults_on_s, "switching faults on"),
        reference=f"'{phase.name}' started",
        expectation=plan.exp.describe(),
    )
    if fires.outcome is Outcome.NEVER:
        others = fired_otherwise(plan, phase, every, run)
        if others:
            fires = replace(fires, message=f"{fires.message}; {others}")
        else:
            fires = closest(fires, values, plan.exp.labels, phase.start, run[1])
    return fired, within_budget(fires, plan.fire_budget)


def _resolves_verdict(
    plan: Plan, phase: PhaseMark, eps: list[Episode], run: tuple[float, float]
) -> Verdict:
    """The alert resolves when its last instance that fired by the phase's end does."""
    fired_by_end = [e for e in eps if e.fired_at is not None and run[0] <= e.fired_at <= phase.end]
    open_ = [e for e in fired_by_end if e.resolved_at is None]
    resolved_at = (
        max(e.resolved_at for e in fired_by_end if e.resolved_at is not None)
        if fired_by_end and not open_
        else None
    )
    return judge(
        plan.exp.subject(),
        "resolved",
        resolved_at - phase.end if resolved_at is not None else None,
        plan.resolve.earlier(phase.faults_off_s, "switching faults off"),
        reference=f"'{phase.name}' ended",
        watched_until=run[1] - phase.end,
    )


def _judge_notifications(
    sid: str,
    plan: Plan,
    fired: Episode | None,
    notifications: list[Notification],
    run: tuple[float, float],
    every: list[Episode],
    t0: float,
) -> list[ExpectationVerdict]:
    """``t0``: the `fires.after` phase's start, from which a ``within:`` budget runs."""
    assert plan.exp.notifies is not None
    spec, alert = plan.exp.notifies, plan.exp.alert
    mine = [
        n
        for n in notifications
        if alert in n.alertnames and run[0] <= n.received_at and plan.carried_by(n)
    ]
    out: list[ExpectationVerdict] = []
    for receiver in spec.receivers:
        got = [n for n in mine if n.receiver == receiver]
        notified = _notified_verdict(plan, receiver, fired, got, run, every)
        offset = fired.fired_at - t0 if fired and fired.fired_at else 0.0
        notified = within_budget(notified, plan.notify_budget, offset=offset)
        out.append(ExpectationVerdict.of(sid, alert, f"notifies:{receiver}", notified))
        if spec.resolved:
            resolved = _resolved_verdict(plan, receiver, fired, got, run)
            out.append(
                ExpectationVerdict.of(sid, alert, f"resolved_notification:{receiver}", resolved)
            )
    for receiver in spec.not_receivers:
        wrong = [n for n in mine if n.receiver == receiver]
        quiet = _not_notified_verdict(alert, receiver, wrong)
        out.append(ExpectationVerdict.of(sid, alert, f"not_notifies:{receiver}", quiet))
    return out


def _notified_verdict(
    plan: Plan,
    receiver: str,
    fired: Episode | None,
    got: list[Notification],
    run: tuple[float, float],
    every: list[Episode],
) -> Verdict:
    """The receiver's first firing notification in its window, with the fields asked for."""
    alert = plan.exp.alert
    window = _notification_window(plan, receiver, fired, every)
    if fired is None or fired.fired_at is None:
        return Verdict(
            f"{alert} notifies {receiver}",
            Outcome.NEVER,
            f"{alert} never fired, so {receiver} could not be notified",
            window,
        )
    first = next((n for n in got if n.status == "firing"), None)
    v = judge(
        f"{receiver}",
        f"was notified of {alert}",
        first.received_at - fired.fired_at if first else None,
        window,
        reference=f"{alert} fired",
        watched_until=run[1] - fired.fired_at,
    )
    fields = plan.exp.notifies.fields if plan.exp.notifies else {}
    if first is None or not v.passed or not fields:
        return v
    missing = missing_fields(first.payload, fields)
    if not missing:
        return v
    return replace(
        v,
        outcome=Outcome.NEVER,
        message=f"{receiver} was notified of {alert} but the payload lacks "
        f"{missing}; payload: {short(first.payload)}",
    )


def _not_notified_verdict(alert: str, receiver: str, wrong: list[Notification]) -> Verdict:
    text = f"{alert} does not notify {receiver}"
    if not wrong:
        return Verdict(text, Outcome.QUIET, f"{receiver} received nothing about {alert}")
    return Verdict(
        text,
        Outcome.FIRED,
        f"{receiver} was notified of {alert} ({len(wrong)} notification(s)), where it must not be",
    )


def _resolved_verdict(
    plan: Plan,
    receiver: str,
    fired: Episode | None,
    got: list[Notification],
    run: tuple[float, float],
) -> Verdict:
    alert = plan.exp.alert
    resolved_at = fired.resolved_at if fired else None
    if fired is None or resolved_at is None:
        return Verdict(
            f"{receiver} gets {alert} resolved",
            Outcome.NEVER,
            f"{alert} never resolved, so no resolved notification to {receiver}",
            plan.resolved_notification[receiver],
        )
    routes = plan.routes_to(receiver, {**fired.labels, "alertname": alert})
    window = covering([(r, resolved_notification_window(r)) for r in routes])
    after = [n for n in got if n.status == "resolved" and n.received_at >= resolved_at - 1]
    return judge(
        receiver,
        f"got the resolved notification of {alert}",
        after[0].received_at - resolved_at if after else None,
        window,
        reference=f"{alert} resolved",
        watched_until=run[1] - resolved_at,
    )


def _notification_window(
    plan: Plan, receiver: str, fired: Episode | None, every: list[Episode]
) -> Window:
    """The first notification's window through each route the fired alert's labels
    reach ``receiver`` by, covering them all when there are several."""
    if fired is None or fired.fired_at is None:
        return plan.first_notification[receiver]
    alert = plan.exp.alert
    routes = plan.routes_to(receiver, {**fired.labels, "alertname": alert})
    return covering([(r, _group_window(plan, r, fired, every)) for r in routes])


def _group_window(plan: Plan, route: Route, fired: Episode, every: list[Episode]) -> Window:
    """FiredAt + GW for a new group on ``route``; for an alert joining a group that
    another instance already opened there: that group's first flush if it has not
    happened yet, else its next group_interval tick (dispatch/dispatch.go aggrGroup)."""
    assert fired.fired_at is not None
    first = first_notification_window(route)
    alert = plan.exp.alert
    key = route.group_key({**fired.labels, "alertname": alert})

    def same_group(e: Episode) -> bool:
        labels = {**e.labels, "alertname": alert}
        joins = any(r is route for r in plan.tree.match(labels))
        return joins and route.group_key(labels) == key

    opened = [
        e.fired_at
        for e in every
        if e is not fired
        and e.fired_at is not None
        and e.fired_at < fired.fired_at
        and (e.resolved_at is None or e.resolved_at > fired.fired_at)
        and same_group(e)
    ]
    if not opened:
        return first
    flush = min(opened) + route.group_wait_s - fired.fired_at
    if flush >= first.slack:
        return Window(0.0, flush, False, True, first.slack, "(0, first flush of the group]")
    if flush >= 0:
        # The first flush comes within a Prometheus -> Alertmanager hop of this alert's
        # evaluation (the slack): it arrives in time for that flush or just after it, then
        # goes out at the next group_interval tick. Seen: the other queue fired exactly GW
        # earlier (E divides GW), and the page came 1 s (GI) after this alert fired.
        end = flush + route.group_interval_s
        return Window(0.0, end, False, True, first.slack, "(0, first flush of the group + GI]")
    return existing_group_window(route, slack=first.slack)



__all__ = ["Window", "judge_scenario"]
