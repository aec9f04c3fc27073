"""An ``eval_time`` beyond the series: a case nothing of its input can reach.

A case is refused when its ``eval_time`` is later than the last input sample plus
everything that lets an expression still see it: the 5m lookback, the longest range
window the expression reads (through recording rules too), and the alert's
``keep_firing_for``. Nothing of the input reaches such an instant, which in practice is
a typo (``eval_time: 60m`` for ``6m``). Expressions meant to hold after data ends
(``absent``, ``absent_over_time``, ``time()`` without any series) are not checked.
"""

from __future__ import annotations

import promql_parser as pp

from harness.promtool.testfile import PromtoolTestError, TestFile, TestGroup
from harness.rules import promql
from harness.rules.model import AlertRule, RuleGroup

LOOKBACK_MS = 5 * 60_000  # promtool's query lookback delta
_AFTER_END = frozenset({"absent", "absent_over_time"})


def _reach_ms(expr: str) -> int | None:
    """How long after its input ends the expression still sees it; None: unbounded."""
    node = promql.parse(expr)
    calls = {n.func.name for n in promql.nodes(node) if isinstance(n, pp.Call)}
    selectors = [n for n in promql.nodes(node) if isinstance(n, pp.VectorSelector)]
    if calls & _AFTER_END or not selectors:
        return None
    return round(promql.lookback_s(node) * 1000)


def _series_end_ms(group: TestGroup) -> int | None:
    ends = [max((i for i, v in enumerate(s.values) if not v.omitted), default=-1)
            for s in group.input_series]
    return None if not ends or max(ends) < 0 else max(ends) * group.interval_ms


def check_eval_times(test_file: TestFile, rule_groups: list[RuleGroup]) -> None:
    alerts: dict[str, list[AlertRule]] = {}
    for rule in (r for g in rule_groups for r in g.rules if isinstance(r, AlertRule)):
        alerts.setdefault(rule.name, []).append(rule)
    for group in test_file.groups:
        end = _series_end_ms(group)
        if end is None:
            continue
        cases: list[tuple[int, int, list[int | None]]] = [
            (c.eval_time_ms, c.line,
             [None if _reach_ms(r.expr) is None else
              round((r.max_range_s + r.keep_firing_for_s) * 1000)
              for r in alerts.get(c.alertname, [])] or [None])
            for c in group.alert_cases]
        cases += [(c.eval_time_ms, c.line, [_reach_ms(c.expr)]) for c in group.expr_cases]
        for eval_ms, line, reaches in cases:
            if any(r is None for r in reaches):
                continue
            limit = end + LOOKBACK_MS + max(r for r in reaches if r is not None)
            if eval_ms > limit:
                raise PromtoolTestError(
                    f"eval_time {eval_ms / 1000:g}s is beyond the input series: the last "
                    f"sample is at {end / 1000:g}s, and nothing of it is visible to the "
                    f"expression after {limit / 1000:g}s (5m lookback and its windows)"
                    + (": the group has no interval, and promtool 2.42 loads every value"
                       " at time 0" if group.interval_ms == 0 else ""),
                    path=test_file.path, line=line, key=f"tests[{group.index}]",
                    hint="if the test means it, pass --allow-beyond-series")
