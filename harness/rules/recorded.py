"""Alerts that read recording rules inherit their windows.

``slo:errors:ratio_rate1h > 0.0144`` has no range window of its own, but its condition
lags a fault by the recording rule's 1 h window all the same. Verdict windows
(docs/TIMING.md, "Rate condition") need that lag, so an alert's ``max_range_s`` and
``uses_range`` include those of every recorded series it reads (transitively: recording
rules may read recording rules). Own windows over a recorded series add to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import promql_parser as pp

from harness.rules import promql
from harness.rules.model import AlertRule, RecordingRule, RuleGroup


def metric_names(expr: str) -> set[str]:
    """Metric names the expression selects (``name{...}`` or ``{__name__="name"}``)."""
    names: set[str] = set()
    for node in promql.nodes(promql.parse(expr)):
        if isinstance(node, pp.VectorSelector):
            if node.name:
                names.add(node.name)
            for m in node.matchers.matchers:
                if m.name == "__name__" and m.op == pp.MatchOp.Equal:
                    names.add(m.value)
    return names


def recorded_reach(recording: Iterable[RecordingRule]) -> dict[str, tuple[float, bool]]:
    """Recorded name -> (lookback in seconds, uses a range), through chains of records."""
    rules = list(recording)
    reach = {r.name: (r.max_range_s, r.uses_range) for r in rules}
    reads = {r.name: metric_names(r.expr) & reach.keys() for r in rules}
    for _ in range(len(rules)):  # a chain is at most as long as the list
        changed = False
        for r in rules:
            own_s, own_range = r.max_range_s, r.uses_range
            deps = [reach[d] for d in reads[r.name] if d != r.name]
            best = (
                own_s + max((d[0] for d in deps), default=0.0),
                own_range or any(d[1] for d in deps),
            )
            if best != reach[r.name]:
                reach[r.name] = best
                changed = True
        if not changed:
            break
    return reach


def with_recorded_windows(
    alerts: Sequence[AlertRule], recording: Iterable[RecordingRule]
) -> list[AlertRule]:
    """The alerts, each with the windows of the recorded series it reads added."""
    reach = recorded_reach(recording)
    if not reach:
        return list(alerts)
    out = []
    for rule in alerts:
        used = [reach[n] for n in metric_names(rule.expr) if n in reach]
        if not used:
            out.append(rule)
            continue
        out.append(
            replace(
                rule,
                max_range_s=rule.max_range_s + max(u[0] for u in used),
                uses_range=rule.uses_range or any(u[1] for u in used),
            )
        )
    return out


def resolve_groups(groups: Sequence[RuleGroup]) -> tuple[RuleGroup, ...]:
    """Groups of one file with every alert's windows resolved against the file's records."""
    recording = [r for g in groups for r in g.rules if isinstance(r, RecordingRule)]
    if not recording:
        return tuple(groups)
    out = []
    for g in groups:
        alerts = [r for r in g.rules if isinstance(r, AlertRule)]
        resolved = iter(with_recorded_windows(alerts, recording))
        rules = tuple(next(resolved) if isinstance(r, AlertRule) else r for r in g.rules)
        out.append(replace(g, rules=rules))
    return tuple(out)
