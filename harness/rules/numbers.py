"""Durations and counts written as plain numbers, which a time-scale rewrite cannot see.

`rules scale` divides every PromQL duration (`[5m]`, `offset 1h`, `for:`) by k, but a
number is only a number: ``predict_linear(x[6h], 4 * 3600) < 0``, ``time() - x > 600``,
``node_time_seconds - node_boot_time_seconds > 600``, ``x < 7*24*60*60`` and an alert
comparing a recorded age (``instance:uptime:seconds < 600``, recorded as
``time() - node_boot_time_seconds``) keep meaning real seconds. Counts over a window
(``increase(x[1h]) > 100``) change meaning too: the window is k times shorter.
``numbers_in(node, recorded)`` finds them all; a threshold of 0 is left out where
scaling cannot change the outcome.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import promql_parser as pp

from harness.rules.promql import CLOCK, COMPARISONS, COUNTING, Node, nodes, parse, transform

# Gauges holding a point in time, in seconds since the epoch (node_boot_time_seconds,
# kube_pod_start_time, x_last_success_timestamp_seconds, node_time_seconds).
_TIMESTAMP_METRIC = re.compile(r"(_timestamp_seconds|_time_seconds|_timestamp|_start_time)$")
_DURATION_FACTORS = frozenset({60.0, 3600.0, 86400.0, 604800.0})
_PASS = frozenset({"sum", "min", "max", "avg", "topk", "bottomk"})
_FLIP = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class WrittenNumber:
    """A number in an expression whose meaning depends on the time scale."""

    kind: str  # "horizon" | "clock" | "product" | "recorded" | "count"
    text: str  # the comparison or call, printed
    value: float  # the number as written (seconds, or a count)
    op: str = ""  # comparison with the time-valued or counting side on the left
    what: str = ""  # the function, metric or recording rule it is about


def numbers_in(node: Node, recorded: Iterable[str] = ()) -> list[WrittenNumber]:
    """Every scale-sensitive number of the expression (see the module docstring)."""
    recorded = frozenset(recorded)
    found: list[WrittenNumber] = []
    for n in nodes(node):
        if isinstance(n, pp.Call) and n.func.name == "predict_linear" and len(n.args) > 1:
            horizon = constant(n.args[1])
            if horizon:
                found.append(WrittenNumber("horizon", n.prettify(), horizon, what="predict_linear"))
        if isinstance(n, pp.BinaryExpr) and str(n.op) in COMPARISONS:
            found += _comparison(n, recorded)
    return found


def is_time_valued(node: Node, recorded: Iterable[str] = ()) -> bool:
    """True for an age or a point in time in seconds: time(), timestamp(), a timestamp
    gauge, or a recorded one (a recording rule whose value is a duration)."""
    return _time_source(node, frozenset(recorded)) is not None


def constant(node: Node) -> float | None:
    """The value of a constant expression (numbers, + - * /, parentheses), else None."""
    if isinstance(node, pp.NumberLiteral):
        return float(node.val)
    if isinstance(node, pp.ParenExpr):
        return constant(node.expr)
    if isinstance(node, pp.UnaryExpr):
        inner = constant(node.expr)
        return None if inner is None else -inner
    if isinstance(node, pp.BinaryExpr) and str(node.op) in ("+", "-", "*", "/"):
        lhs, rhs = constant(node.lhs), constant(node.rhs)
        if lhs is None or rhs is None or (str(node.op) == "/" and rhs == 0):
            return None
        return {"+": lhs + rhs, "-": lhs - rhs, "*": lhs * rhs, "/": lhs / rhs if rhs else 0.0}[
            str(node.op)]
    return None


def _comparison(n: pp.BinaryExpr, recorded: frozenset[str]) -> list[WrittenNumber]:
    shifted = _shifted_clocks(n, recorded)
    if shifted is not None:
        return shifted
    for side, other, op in ((n.lhs, n.rhs, str(n.op)), (n.rhs, n.lhs, _FLIP[str(n.op)])):
        value = constant(other)
        if value is None or constant(side) is not None or math.isnan(value):
            continue
        source = _time_source(side, recorded)
        if source is not None:
            if value == 0:
                return []  # "older than 0 s" means the same at every scale
            kind = "recorded" if source in recorded else "clock"
            return [WrittenNumber(kind, n.prettify(), value, op, source)]
        counting = _counting(side)
        if counting is not None:
            if (value == 0 and op in (">", "!=")) or (value == 1 and op == ">="):
                return []  # any event at all: a shorter window sees it too
            return [WrittenNumber("count", n.prettify(), value, op, counting)]
        if _looks_like_duration(other):
            return [WrittenNumber("product", n.prettify(), value, op)]
    return []


def _shifted_clocks(n: pp.BinaryExpr, recorded: frozenset[str]) -> list[WrittenNumber] | None:
    """`timestamp(x) < time() - 300`: two points in time, one shifted by seconds."""
    lhs, rhs = _time_source(n.lhs, recorded), _time_source(n.rhs, recorded)
    if lhs is None or rhs is None:
        return None
    shifts = [s for s in (_shift(n.lhs), _shift(n.rhs)) if s]
    if not shifts:
        return []
    return [WrittenNumber("clock", n.prettify(), abs(shifts[0]), str(n.op), rhs)]


def _shift(node: Node) -> float | None:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    if isinstance(node, pp.BinaryExpr) and str(node.op) in ("+", "-"):
        return constant(node.rhs) if constant(node.rhs) is not None else constant(node.lhs)
    return None


def _time_source(node: Node, recorded: frozenset[str]) -> str | None:
    for n in nodes(node):
        if isinstance(n, pp.Call) and n.func.name in CLOCK:
            return f"{n.func.name}()"
        if isinstance(n, pp.VectorSelector) and n.name:
            name = str(n.name)
            if name in recorded or _TIMESTAMP_METRIC.search(name):
                return name
    return None


def _counting(node: Node) -> str | None:
    while isinstance(node, pp.ParenExpr) or (
            isinstance(node, pp.AggregateExpr) and str(node.op) in _PASS):
        node = node.expr
    if isinstance(node, pp.Call) and node.func.name in COUNTING:
        return str(node.func.name)
    return None


def _looks_like_duration(node: Node) -> bool:
    """`7*24*60*60`, `3600 * 4`: a product with a factor of a minute, hour, day or week."""
    factors = [constant(n) for n in nodes(node) if isinstance(n, pp.NumberLiteral)]
    is_product = any(isinstance(n, pp.BinaryExpr) and str(n.op) == "*" for n in nodes(node))
    return is_product and any(f in _DURATION_FACTORS for f in factors)


REWRITTEN_KINDS = frozenset({"horizon", "clock", "recorded", "product"})


def rewrite_numbers(expr: str, factor: float,
                    recorded: Iterable[str] = ()) -> tuple[str, list[tuple[str, str]]]:
    """``rules scale --scale-numbers``: the expression with every duration written as a
    number divided by ``factor`` (predict_linear's horizon, and the constant side of a
    comparison with a clock, timestamp, recorded age or `7*24*60*60`), and what changed
    (each rewritten call or comparison, printed before and after).
    Shifts inside a side (`time() - 300`) and counts are left alone (and warned)."""
    recorded = frozenset(recorded)
    changed: list[tuple[str, str]] = []

    def visit(node: Node) -> Node | None:
        new = None
        if isinstance(node, pp.Call) and node.func.name == "predict_linear" and len(
                node.args) > 1 and constant(node.args[1]):
            horizon = constant(node.args[1]) or 0.0
            new = f"predict_linear({node.args[0].prettify()}, {_number(horizon / factor)})"
        elif isinstance(node, pp.BinaryExpr) and str(node.op) in COMPARISONS:
            new = _rewritten_comparison(node, factor, recorded)
        if new is None:
            return None
        changed.append((node.prettify(), new))
        return parse(new)

    text = transform(parse(expr), visit).prettify()
    return text, changed


def _rewritten_comparison(node: pp.BinaryExpr, factor: float,
                          recorded: frozenset[str]) -> str | None:
    found = _comparison(node, recorded)
    if not found or found[0].kind not in REWRITTEN_KINDS:
        return None
    lhs, rhs = constant(node.lhs), constant(node.rhs)
    if (lhs is None) == (rhs is None):
        return None  # two points in time, one shifted: the shift is inside a side
    modifier = node.modifier
    op = str(node.op) + (" bool" if modifier is not None and modifier.return_bool else "")
    left = node.lhs.prettify() if lhs is None else _number(lhs / factor)
    right = node.rhs.prettify() if rhs is None else _number(rhs / factor)
    return f"{left} {op} {right}"


def _number(value: float) -> str:
    return format(value, ".12g")
