"""An alert's condition split at its threshold: ``vector op number`` (or ``number op
vector``), the one model the report's charts, the offline evaluator, `harness tune` and
the Locust alerts tab share. Only a top-level filtering comparison against a literal
number splits; anything else (``bool``, arithmetic on both sides, ``and``) does not.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import promql_parser as pp

from harness.rules import promql

_OPS: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}
_MIRRORED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Comparison:
    """``vector op threshold`` (or ``threshold op vector`` when ``scalar_left``)."""

    vector: str  # the vector side, printed by promql_parser
    op: str
    threshold: float
    scalar_left: bool = False

    def with_threshold(self, threshold: float) -> str:
        """The expression with another threshold (a candidate variant)."""
        number = repr(float(threshold))
        if self.scalar_left:
            return f"{number} {self.op} {self.vector}"
        return f"{self.vector} {self.op} {number}"

    def keeps(self, value: float) -> bool:
        compare = _OPS[self.op]
        if self.scalar_left:
            return compare(self.threshold, value)
        return compare(value, self.threshold)

    @property
    def value_op(self) -> str:
        """The comparison read from the vector's side (``0.05 < x`` is ``x > 0.05``)."""
        return _MIRRORED[self.op] if self.scalar_left else self.op


# Narrower than rules.numbers.constant on purpose: only a literal threshold, never arithmetic.
def _number(node: promql.Node) -> float | None:
    """The value of a number literal (through parentheses and a unary minus), else None."""
    if isinstance(node, pp.NumberLiteral):
        return float(node.val)
    if isinstance(node, pp.ParenExpr):
        return _number(node.expr)
    if isinstance(node, pp.UnaryExpr):
        inner = _number(node.expr)
        return None if inner is None else -inner
    return None


def split_comparison(expr: str) -> Comparison | None:
    """The top-level filtering comparison of a vector against a number, if ``expr`` is one."""
    node = promql.parse(expr)
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    if not isinstance(node, pp.BinaryExpr) or str(node.op) not in _OPS:
        return None
    if node.modifier is not None and node.modifier.return_bool:
        return None
    right, left = _number(node.rhs), _number(node.lhs)
    if right is not None and left is None:
        return Comparison(node.lhs.prettify(), str(node.op), right)
    if left is not None and right is None:
        return Comparison(node.rhs.prettify(), str(node.op), left, scalar_left=True)
    return None


def split_condition(expr: str) -> tuple[str, str | None, float | None]:
    """``(value expression, comparison from its side, threshold)`` for charts and tables;
    the whole expression, None, None when it does not split (or does not parse)."""
    try:
        comparison = split_comparison(expr)
    except promql.PromQLError:
        return expr, None, None
    if comparison is None:
        return expr, None, None
    return comparison.vector, comparison.value_op, comparison.threshold
