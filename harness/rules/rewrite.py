"""Divide every duration of one PromQL expression by a time scale k, through the AST.

How promql_parser 0.12 prints matters here, so it was checked (see test_rules_rewrite):
- ``prettify()`` round-trips what ``parse()`` read, but ignores attributes set from
  Python: ``node.range = ...`` changes ``str(node)`` and nothing else.
- ``str()`` does see those changes but is lossy: it truncates ``500ms`` to ``0s``,
  prints ``x[5m:]`` (a subquery) as ``x[5m]`` (a range selector) and drops the escaping
  of quotes in label values.
- ``transform()`` does splice in nodes returned by a callback, children first.
So each node that holds a duration (selector with an offset, range selector,
subquery) is replaced by a node parsed from text built here: the selector's name and
matchers (quoted here), the scaled durations in milliseconds, the ``@`` modifier, and for
a subquery its already rewritten inner expression printed by ``prettify()``. The rest of
the tree is untouched, and the result is checked to have the original's shape.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import promql_parser as pp

from harness.durations import format_ms, timedelta_ms
from harness.rules import promql

_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}  # by MatchOp name


@dataclass(frozen=True)
class Window:
    kind: str  # "range" ([5m] of a range selector) or "subquery" ([1h:1m])
    before_ms: float
    after_ms: int


@dataclass
class ScaledExpression:
    text: str
    windows: list[Window] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # rounding to whole milliseconds


# Functions whose value is per second: on data replayed k times faster they read k times
# more. increase(), delta() and the *_over_time() family count what the window holds,
# which a scaled window holds alike.
PER_SECOND_FUNCTIONS = frozenset({"rate", "irate", "deriv"})


def scale_expression(expr: str, factor: float, *, per_second: bool = False) -> ScaledExpression:
    """The expression with every range, subquery range and step, and offset divided by
    factor. ``per_second``: for data replayed k times faster (promtool's input series
    served at scaled time), every per-second function's value is divided by factor too."""
    if not (factor > 0 and math.isfinite(factor)):
        raise ValueError(f"time scale must be a positive number, got {factor}")
    original = promql.parse(expr)
    if per_second:  # first, so that the duration rewrite below is checked against it
        original = promql.parse(promql.transform(original, _per_second(factor)).prettify())
    result = ScaledExpression(text="")
    rewriter = _Rewriter(factor, result)
    rewritten = promql.transform(original, rewriter.visit)
    result.text = rewritten.prettify()
    reparsed = promql.parse(result.text)
    if _shape(reparsed) != _shape(original):
        raise promql.PromQLError(
            f"rewriting changed the expression beyond its durations: {result.text!r}"
        )
    return result


def _per_second(factor: float) -> Callable[[pp.Expr], pp.Expr | None]:
    def visit(node: pp.Expr) -> pp.Expr | None:
        if isinstance(node, pp.Call) and node.func.name in PER_SECOND_FUNCTIONS:
            return promql.parse(f"({node.prettify()} / {factor!r})")
        return None

    return visit


class _Rewriter:
    def __init__(self, factor: float, result: ScaledExpression) -> None:
        self.factor = factor
        self.result = result

    def visit(self, node: pp.Expr) -> pp.Expr | None:
        if isinstance(node, pp.VectorSelector):
            if node.offset is None:
                return None
            offset = self._scale(node.offset, "offset")
            return promql.parse(_selector(node) + _at(node.at) + _offset(offset))
        if isinstance(node, pp.MatrixSelector):
            vs = node.vector_selector  # its offset was scaled when it was visited
            window = self._scale(node.range, "range", kind="range")
            return promql.parse(
                f"{_selector(vs)}[{format_ms(window)}]{_at(vs.at)}{_offset(_ms(vs.offset))}"
            )
        if isinstance(node, pp.SubqueryExpr):
            assert node.range is not None  # a subquery always has a range
            window = self._scale(node.range, "subquery range", kind="subquery")
            step = "" if node.step is None else format_ms(self._scale(node.step, "subquery step"))
            sub_offset = None if node.offset is None else self._scale(node.offset, "offset")
            inner = node.expr.prettify()
            return promql.parse(
                f"{inner}[{format_ms(window)}:{step}]{_at(node.at)}{_offset(sub_offset)}"
            )
        return None

    def _scale(self, delta: timedelta, what: str, *, kind: str | None = None) -> int:
        before = timedelta_ms(delta)
        exact = before / self.factor
        after = round(exact)
        if after == 0 and exact != 0:
            after = 1 if exact > 0 else -1
        if abs(after - exact) > 1e-6:
            self.result.notes.append(
                f"{what} {format_ms(round(before))} / {self.factor:g} = {exact:.3f}ms, "
                f"rounded to {format_ms(after)} (Prometheus resolution is 1ms)"
            )
        if kind is not None:
            self.result.windows.append(Window(kind, before, after))
        return after


def _ms(delta: timedelta | None) -> int | None:
    return None if delta is None else round(timedelta_ms(delta))


def _quote(value: str) -> str:
    # A JSON string is a valid PromQL double-quoted string (same escapes as Go's).
    return json.dumps(value, ensure_ascii=False)


def _op_name(op: pp.MatchOp) -> str:
    return str(op).rsplit(".", 1)[-1]  # "MatchOp.Re" -> "Re"; MatchOp is not hashable


def _selector(vs: pp.VectorSelector) -> str:
    if vs.matchers.or_matchers:
        raise promql.PromQLError("'or' inside label matchers is not supported by Prometheus 2.42")
    inner = ",".join(
        f"{m.name}{_MATCH_OPS[_op_name(m.op)]}{_quote(m.value)}" for m in vs.matchers.matchers
    )
    name = vs.name or ""
    return name if name and not inner else f"{name}{{{inner}}}"


def _at(at: pp.AtModifier | None) -> str:
    if at is None:
        return ""
    if at.type == pp.AtModifierType.Start:
        return " @ start()"
    if at.type == pp.AtModifierType.End:
        return " @ end()"
    try:
        when = at.at
    except BaseException as exc:  # pyo3 panics on timestamps before 1970
        if type(exc).__name__ != "PanicException":
            raise
        raise promql.PromQLError("'@' with a timestamp before 1970 is not supported") from None
    assert when is not None
    return f" @ {when.timestamp():.3f}"


def _offset(ms: int | None) -> str:
    return "" if not ms else f" offset {format_ms(ms)}"


def _shape(node: pp.Expr) -> list[tuple[Any, ...]]:
    """Everything about an expression except its durations, for comparing rewrites."""
    shape: list[tuple[Any, ...]] = []
    for n in promql.nodes(node):
        entry: tuple[Any, ...] = (type(n).__name__,)
        if isinstance(n, pp.BinaryExpr):
            bm = n.modifier
            entry += (str(n.op),) + (
                ()
                if bm is None
                else (
                    str(bm.card),
                    bm.return_bool,
                    bm.group_labels,
                    None if bm.matching is None else (str(bm.matching.type), bm.matching.labels),
                )
            )
        elif isinstance(n, pp.AggregateExpr):
            am = n.modifier
            if am is not None and str(am.type).endswith("By") and not am.labels:
                am = None  # `sum by () (x)` is `sum(x)`, and prettify() prints it so
            entry += (str(n.op),) + (() if am is None else (str(am.type), am.labels))
        elif isinstance(n, pp.Call):
            entry += (n.func.name,)
        elif isinstance(n, pp.NumberLiteral):
            entry += ("nan" if math.isnan(n.val) else n.val,)
        elif isinstance(n, pp.StringLiteral):
            entry += (n.val,)
        elif isinstance(n, pp.VectorSelector):
            entry += (
                n.name,
                # Matcher order means nothing, and prettify() sorts several by name.
                sorted((m.name, str(m.op), m.value) for m in n.matchers.matchers),
                None if n.at is None else str(n.at.type),
            )
        elif isinstance(n, pp.SubqueryExpr):
            entry += (n.step is None, n.offset is None, None if n.at is None else str(n.at.type))
        shape.append(entry)
    return shape
