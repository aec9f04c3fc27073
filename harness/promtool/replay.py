"""One test group's rules evaluated at promtool's instants against a throwaway Prometheus.

promtool evaluates every rule group, in ``group_eval_order`` (others first, in file
order here; promtool leaves their order unspecified), at 0, E, 2E, ... up to the largest
``eval_time`` (E = ``evaluation_interval``). Here each rule's expression is an instant
query at each of those instants; alerting rules go through the offline state machine
(``harness.offline.statemachine``), their labels and annotations through the template
renderer; recording rules' results are kept as series (the caller backfills them for
the next round, until they no longer change).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from re import error as re_error  # a bad reReplaceAll pattern

import promql_parser as pp

from harness.offline.statemachine import AlertStateMachine, LabelSet, Sample, State, alert_labels
from harness.promtool.gotemplate import Unsupported, render
from harness.promtool.instant import Point, QueryError, instant_query
from harness.promtool.testfile import TestGroup
from harness.rules import promql
from harness.rules.model import AlertRule, RecordingRule, RuleGroup

ALERTS = "ALERTS"
Firing = tuple[dict[str, str], dict[str, str] | None]  # labels, annotations (None: unrendered)


@dataclass
class GroupRun:
    """What one evaluation of a test group produced."""

    recorded: dict[LabelSet, list[tuple[int, float]]] = field(default_factory=dict)
    firing: dict[tuple[int, str], list[Firing]] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)
    error: str | None = None


@dataclass
class _AlertState:
    rule: AlertRule
    machine: AlertStateMachine
    last_seen: dict[LabelSet, Point] = field(default_factory=dict)


def ordered_groups(groups: Sequence[RuleGroup], order: Sequence[str]) -> list[RuleGroup]:
    """promtool's orderedGroups: by position in ``group_eval_order`` (0 if absent)."""
    rank = {name: i for i, name in enumerate(order)}
    return sorted(groups, key=lambda g: rank.get(g.name, 0))


def _names(expr: str) -> set[str] | None:
    """Metric names an expression reads; None when a selector may match any name."""
    names: set[str] = set()
    for node in promql.nodes(promql.parse(expr)):
        if isinstance(node, pp.VectorSelector):
            exact = [m.value for m in node.matchers.matchers
                     if m.name == "__name__" and m.op == pp.MatchOp.Equal]
            if node.name:
                names.add(node.name)
            elif exact:
                names.update(exact)
            else:
                return None
    return names


def needed_rules(groups: Sequence[RuleGroup], test: TestGroup) -> list[RuleGroup]:
    """The groups with only the rules the group's cases need: the alerts they name and
    the recording rules those and the expressions read, transitively."""
    wanted = {c.alertname for c in test.alert_cases}
    reads: set[str] = set()
    pending = [r.expr for g in groups for r in g.rules
               if isinstance(r, AlertRule) and r.name in wanted]
    pending += [c.expr for c in test.expr_cases]
    records = {r.name: r for g in groups for r in g.rules if isinstance(r, RecordingRule)}
    while pending:
        names = _names(pending.pop())
        if names is None or ALERTS in names:
            return list(groups)
        for name in names - reads:
            reads.add(name)
            pending += [r.expr for r in records.values() if r.name == name]
    keep = [replace(g, rules=tuple(
        r for r in g.rules if (r.name in wanted if isinstance(r, AlertRule) else r.name in reads)))
        for g in groups]
    return [g for g in keep if g.rules]


def reads_alerts(groups: Sequence[RuleGroup], test: TestGroup) -> bool:
    """True when a rule or a case's expression reads the ``ALERTS`` series."""
    exprs = [r.expr for g in groups for r in g.rules] + [c.expr for c in test.expr_cases]
    read = [_names(e) for e in exprs]
    return any(names is None or ALERTS in names for names in read)


def evaluate_group(url: str, groups: Sequence[RuleGroup], test: TestGroup,
                   instants: Sequence[int], snapshots: set[tuple[int, str]],
                   record_alerts: bool = False) -> GroupRun:
    """Every rule at every instant; the firing alerts at the ``snapshots`` (instant,
    alertname) promtool compares. With ``record_alerts``, the ``ALERTS`` series
    Prometheus writes (1 per pending or firing alert, ``alertstate`` label) are kept
    with the recording rules' results."""
    run = GroupRun()
    alerts: dict[tuple[int, int], _AlertState] = {}
    for gi, group in enumerate(groups):
        for ri, rule in enumerate(group.rules):
            if isinstance(rule, AlertRule):
                machine = AlertStateMachine(rule.name, round(rule.for_s * 1000),
                                            round(rule.keep_firing_for_s * 1000), {},
                                            group.limit or 0)
                alerts[(gi, ri)] = _AlertState(rule, machine)
    recorded: dict[LabelSet, list[tuple[int, float]]] = defaultdict(list)
    queries = {(gi, ri): rule_query(rule.expr) for gi, group in enumerate(groups)
               for ri, rule in enumerate(group.rules)}
    for ts in instants:
        for gi, group in enumerate(groups):
            for ri, rule in enumerate(group.rules):
                try:
                    points = instant_query(url, queries[(gi, ri)], ts)
                except QueryError as exc:
                    run.error = f"rule: {rule.name}, time: {ts / 1000:g}s, err: {exc.message}"
                    return run
                if isinstance(rule, RecordingRule):
                    _record(rule, points, ts, recorded)
                else:
                    _alert_step(alerts[(gi, ri)], points, ts, test, run)
                    if record_alerts:
                        _record_alerts(alerts[(gi, ri)], ts, recorded)
        for _, name in (s for s in snapshots if s[0] == ts):
            run.firing[(ts, name)] = [
                f for state in alerts.values() if state.rule.name == name
                for f in _firing(state, test, run)]
    run.recorded = dict(recorded)
    return run


def rule_query(expr: str) -> str:
    """What the rule engine queries: Prometheus evaluates a rule's expression as printed
    from its syntax tree, which sorts each selector's matchers. That order is visible in
    one place: the labels ``absent()`` gives its result (an equality matcher sets a
    label, any later matcher on it removes it), so such expressions are printed the
    same way here (promql_parser's ``prettify``, a port of the Go printer)."""
    if "absent" not in expr:
        return expr
    return str(promql.parse(expr).prettify())


def _record(rule: RecordingRule, points: list[Point], ts: int,
            recorded: dict[LabelSet, list[tuple[int, float]]]) -> None:
    for point in points:
        labels = {**point.labels, "__name__": rule.name, **rule.labels}
        recorded[tuple(sorted(labels.items()))].append((ts, point.value))


def _record_alerts(state: _AlertState, ts: int,
                   recorded: dict[LabelSet, list[tuple[int, float]]]) -> None:
    for key, status in state.machine.states().items():
        if status is not State.INACTIVE:
            labels = {**dict(key), "__name__": ALERTS, "alertstate": status.value}
            recorded[tuple(sorted(labels.items()))].append((ts, 1.0))


def _expand(template: str, point: Point, test: TestGroup, run: GroupRun) -> str | None:
    try:
        return render(template, point.labels, point.value, test.external_labels,
                      test.external_url)
    except (Unsupported, ValueError, TypeError, KeyError, re_error) as exc:
        run.notes.add(f"template not rendered offline ({exc}): {template!r}")
        return None


def _alert_step(state: _AlertState, points: list[Point], ts: int, test: TestGroup,
                run: GroupRun) -> None:
    samples = []
    for point in points:
        merged = {k: v for k, v in point.labels.items() if k != "__name__"}
        for name, template in state.rule.labels.items():
            value = _expand(template, point, test, run)
            merged[name] = template if value is None else value
        merged = {k: v for k, v in merged.items() if v != ""}  # an empty label is no label
        samples.append(Sample(merged, point.value))
        state.last_seen[alert_labels(merged, {}, state.rule.name)] = point
    state.machine.step(ts, samples)


def _firing(state: _AlertState, test: TestGroup, run: GroupRun) -> list[Firing]:
    out: list[Firing] = []
    for key, status in state.machine.states().items():
        if status is not State.FIRING:
            continue
        point = state.last_seen[key]
        annotations: dict[str, str] | None = {}
        for name, template in state.rule.annotations.items():
            text = _expand(template, point, test, run)
            if text is None or annotations is None:
                annotations = None
                continue
            annotations[name] = text
        out.append((dict(key), annotations))
    return out

