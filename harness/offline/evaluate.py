"""A rule's alerts over a time range, from range queries and the alerting state machine.

Prometheus evaluates a rule group every ``interval`` (the group's, else the global
``evaluation_interval``); here the expression is range-queried at that step, on the
grid of multiples of the interval inside the range, and ``statemachine`` replays
``AlertingRule.Eval`` over each step's result. The values are Prometheus's own (a range
query runs the same engine as a rule's instant query at each step); nothing of PromQL
is re-implemented here except the comparison filter below.

Candidates that differ only in the threshold of a top-level comparison against a
number (``<vector> > 0.05``, ``0.05 < <vector>``; any of ``== != > < >= <=``; no
``bool``, whose result is 0/1 rather than a filter) share one range query of the vector
side, and each candidate's comparison is applied to its values here, as Prometheus's
vector/scalar comparison does: keep the element if the comparison holds, with the
vector's value (``VectorscalarBinop`` in ``promql/engine.go``). Anything else is queried
as written. An expression with ``@ start()`` or ``@ end()`` is queried one step at a
time, since in a range query those mean the range's ends, in a rule the evaluation time.

The state starts empty at the first evaluation: an alert already active before the
range starts there (its ``active_at`` is the range's first evaluation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import promql_parser as pp

from harness.errors import RuleError
from harness.offline.source import RangeSeries, RangeSource
from harness.offline.statemachine import AlertStateMachine, Episode, EvalError, Sample, replay
from harness.rules import promql
from harness.rules.condition import Comparison, split_comparison
from harness.rules.model import AlertRule

DEFAULT_INTERVAL_S = 60.0  # Prometheus's default global evaluation_interval



@dataclass(frozen=True)
class Evaluation:
    """One candidate's alerts over the range."""

    rule: AlertRule
    query: str  # what was range-queried for it
    comparison: Comparison | None  # applied in Python to a shared query's values; else None
    interval_s: float
    first_eval: float | None  # unix seconds of the first and last evaluation; None: none
    last_eval: float | None
    episodes: tuple[Episode, ...]
    errors: tuple[EvalError, ...] = ()

    @property
    def fired(self) -> tuple[Episode, ...]:
        return tuple(e for e in self.episodes if e.fired_at is not None)


@dataclass
class _Query:
    text: str
    interval_ms: int
    members: list[tuple[int, AlertRule, Comparison | None]]


def interval_ms(rule: AlertRule, default_interval_s: float) -> int:
    seconds = rule.group_interval_s or default_interval_s
    return max(1, round(seconds * 1000))


def plan(
    rules: Sequence[AlertRule], default_interval_s: float = DEFAULT_INTERVAL_S
) -> list[_Query]:
    """The queries to send: one per distinct expression and interval, except that
    candidates whose comparisons differ only in threshold share their vector side's."""
    by_vector: dict[tuple[str, int], list[tuple[int, AlertRule, Comparison]]] = defaultdict(list)
    by_expr: dict[tuple[str, int], list[tuple[int, AlertRule, Comparison | None]]] = {}
    for index, rule in enumerate(rules):
        step = interval_ms(rule, default_interval_s)
        try:
            comparison = split_comparison(rule.expr)
        except promql.PromQLError as exc:
            raise RuleError(
                f"The expression of alert {rule.name} does not parse: {exc}",
                path=rule.source,
                line=rule.expr_line or rule.line,
            ) from None
        if comparison is not None:
            by_vector[(comparison.vector, step)].append((index, rule, comparison))
        else:
            by_expr.setdefault((promql.parse(rule.expr).prettify(), step), []).append(
                (index, rule, None)
            )
    queries = [_Query(m[0][1].expr, step, m) for (_, step), m in by_expr.items()]
    for (vector, step), members in by_vector.items():
        distinct = {(c.op, c.threshold, c.scalar_left) for _, _, c in members}
        if len(distinct) > 1:
            queries.append(_Query(vector, step, list(members)))
        else:  # one comparison: the expression as written returns only what fires
            queries.append(_Query(members[0][1].expr, step, [(i, r, None) for i, r, _ in members]))
    return queries


def grid(
    start_s: float, end_s: float, step_ms: int, offset_ms: int = 0
) -> tuple[int, int] | None:
    """First and last ``offset_ms`` + multiple of ``step_ms`` inside [start, end] (ms),
    or None. ``offset_ms``: a live group's slot offset (Prometheus spreads groups over
    their interval), so that offline evaluations fall on the live ones' instants."""
    offset = offset_ms % step_ms
    first = -(-(round(start_s * 1000) - offset) // step_ms) * step_ms + offset  # ceiling
    last = (round(end_s * 1000) - offset) // step_ms * step_ms + offset
    return (first, last) if first <= last else None


def evaluate(
    rules: Sequence[AlertRule],
    source: RangeSource,
    start_s: float,
    end_s: float,
    *,
    default_interval_s: float = DEFAULT_INTERVAL_S,
    offset_ms: int = 0,
) -> list[Evaluation]:
    """Each rule's (candidate's) episodes in [start_s, end_s], in the order given;
    ``offset_ms``: the evaluation slots' offset (``grid``)."""
    results: dict[int, Evaluation] = {}
    for query in plan(rules, default_interval_s):
        span = grid(start_s, end_s, query.interval_ms, offset_ms)
        series = [] if span is None else _fetch(source, query.text, *span, query.interval_ms)
        by_time: dict[int, list[Sample]] = defaultdict(list)
        for one in series:
            for ts, value in one.points:
                by_time[ts].append(Sample(one.labels, value))
        times = [] if span is None else range(span[0], span[1] + 1, query.interval_ms)
        for index, rule, comparison in query.members:
            machine = AlertStateMachine(
                rule.name,
                for_ms=round(rule.for_s * 1000),
                keep_firing_for_ms=round(rule.keep_firing_for_s * 1000),
                labels=dict(rule.labels),
            )
            steps = [(ts, _filtered(by_time.get(ts, []), comparison)) for ts in times]
            results[index] = Evaluation(
                rule=rule,
                query=query.text,
                comparison=comparison,
                interval_s=query.interval_ms / 1000,
                first_eval=None if span is None else span[0] / 1000,
                last_eval=None if span is None else span[1] / 1000,
                episodes=tuple(replay(machine, steps)),
                errors=tuple(machine.errors),
            )
    return [results[i] for i in range(len(rules))]


def _filtered(samples: list[Sample], comparison: Comparison | None) -> list[Sample]:
    if comparison is None:
        return samples
    return [s for s in samples if comparison.keeps(s.value)]


def _fetch(
    source: RangeSource, text: str, first_ms: int, last_ms: int, step_ms: int
) -> list[RangeSeries]:
    if not _pins_range_ends(text):
        return source.range_query(text, first_ms, last_ms, step_ms)
    found: list[RangeSeries] = []
    for ts in range(first_ms, last_ms + 1, step_ms):
        found.extend(source.range_query(text, ts, ts, step_ms))
    return found


def _pins_range_ends(text: str) -> bool:
    """True if the expression uses ``@ start()`` or ``@ end()``."""
    for node in promql.nodes(promql.parse(text)):
        at = getattr(node, "at", None)
        if at is not None and at.type in (pp.AtModifierType.Start, pp.AtModifierType.End):
            return True
    return False
