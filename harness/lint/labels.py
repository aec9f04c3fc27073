"""Which labels a PromQL expression's result series carry, read from the AST.

``LabelSet.present``: labels every result series surely has; ``possible``: labels a
series may have (None: anything). For a selector of a catalogued family both are its
labels plus the target's (job, instance); for an unknown metric only the labels its
matchers require are known present. Aggregations, vector matching and the label
functions then transform the sets as Prometheus 2.42's engine does
(promql/engine.go: resultMetric, aggregation; functions.go: label_replace...).
``__name__`` is left out throughout: vector matching never compares it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import promql_parser as pp

from harness.lint.catalogue import Catalogue
from harness.rules.promql import COMPARISONS, Node, nodes

SET_OPERATORS = frozenset({"and", "or", "unless"})
# Aggregations whose output keeps each input series' labels (they only pick series).
_SELECTING = frozenset({"topk", "bottomk", "limitk", "limit_ratio"})


@dataclass(frozen=True)
class LabelSet:
    present: frozenset[str]
    possible: frozenset[str] | None  # None: unknown, any label may be there

    def absent(self, label: str) -> bool:
        """True if no result series can have this label."""
        return self.possible is not None and label not in self.possible

    @property
    def exact(self) -> bool:
        return self.possible is not None and self.possible == self.present

    def keep(self, labels: frozenset[str]) -> LabelSet:
        possible = labels if self.possible is None else self.possible & labels
        return LabelSet(self.present & labels, possible)

    def drop(self, labels: frozenset[str]) -> LabelSet:
        possible = None if self.possible is None else self.possible - labels
        return LabelSet(self.present - labels, possible)

    def add(self, labels: frozenset[str], *, surely: bool = True) -> LabelSet:
        possible = None if self.possible is None else self.possible | labels
        return LabelSet(self.present | labels if surely else self.present, possible)


EMPTY = LabelSet(frozenset(), frozenset())


def op_name(node: pp.BinaryExpr | pp.AggregateExpr) -> str:
    return str(node.op)


def metric_name(node: pp.VectorSelector) -> str | None:
    if node.name:
        return str(node.name)
    for m in node.matchers.matchers:
        if m.name == "__name__" and str(m.op) == "MatchOp.Equal":
            return str(m.value)
    return None


def required_labels(node: pp.VectorSelector) -> frozenset[str]:
    """Labels the selector's matchers require to be non-empty."""
    required = set()
    for m in node.matchers.matchers:
        op, value = str(m.op), str(m.value)
        if m.name == "__name__":
            continue
        if ((op == "MatchOp.Equal" and value) or (op == "MatchOp.NotEqual" and not value)
                or (op == "MatchOp.Re" and not _matches_empty(value))):
            required.add(str(m.name))
    return frozenset(required)


def _matches_empty(regex: str) -> bool:
    try:
        return re.fullmatch(regex, "") is not None
    except re.error:  # RE2 syntax Python does not know: assume it may match ""
        return True


def vector_args(node: pp.Call) -> list[Node]:
    return [a for a in node.args if not isinstance(a, pp.NumberLiteral | pp.StringLiteral)]


def infer(node: Node, catalogue: Catalogue) -> LabelSet | None:
    """The result's labels; None for a scalar or string expression."""
    if isinstance(node, pp.NumberLiteral | pp.StringLiteral):
        return None
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
        return infer(node.expr, catalogue)
    if isinstance(node, pp.MatrixSelector):
        return infer(node.vector_selector, catalogue)
    if isinstance(node, pp.VectorSelector):
        return _selector(node, catalogue)
    if isinstance(node, pp.Call):
        return _call(node, catalogue)
    if isinstance(node, pp.AggregateExpr):
        return _aggregate(node, catalogue)
    if isinstance(node, pp.BinaryExpr):
        return _binary(node, catalogue)
    return LabelSet(frozenset(), None)


def _selector(node: pp.VectorSelector, catalogue: Catalogue) -> LabelSet:
    """A catalogued family's labels; labels its own matchers require exist by definition,
    and a label a matcher names may exist (`{x!="a"}`) even if the catalogue omits it."""
    name = metric_name(node)
    required = required_labels(node)
    known = catalogue.series_labels(name) if name else None
    if known is None:  # unknown, or open (up, scrape_*, ALERTS: any target label)
        floor = catalogue.open_labels(name) if name else frozenset()
        return LabelSet(required | floor, None)
    named = frozenset(str(m.name) for m in node.matchers.matchers if m.name != "__name__")
    return LabelSet(known | required, known | named)


def _call(node: pp.Call, catalogue: Catalogue) -> LabelSet | None:
    name = node.func.name
    if str(node.func.return_type) in ("ValueType.Scalar", "ValueType.String"):
        return None
    if name == "vector":
        return EMPTY
    if name in ("absent", "absent_over_time"):
        arg = node.args[0]
        selector = arg.vector_selector if isinstance(arg, pp.MatrixSelector) else arg
        if isinstance(selector, pp.VectorSelector):
            equal = {str(m.name) for m in selector.matchers.matchers
                     if str(m.op) == "MatchOp.Equal" and m.name != "__name__"}
            return LabelSet(frozenset(equal), frozenset(equal))
        return EMPTY
    args = vector_args(node)
    if not args:  # time(), pi()... have scalar types; anything else: unknown
        return LabelSet(frozenset(), None)
    inner = infer(args[0], catalogue)
    if inner is None:
        return LabelSet(frozenset(), None)
    if name in ("label_replace", "label_join"):
        return inner.add(frozenset({str(node.args[1].val)}))
    if name == "histogram_quantile":
        return inner.drop(frozenset({"le"}))
    return inner


def _aggregate(node: pp.AggregateExpr, catalogue: Catalogue) -> LabelSet:
    inner = infer(node.expr, catalogue) or EMPTY
    op = op_name(node)
    if op in _SELECTING:
        return inner
    modifier = node.modifier
    labels = frozenset(modifier.labels) if modifier is not None else frozenset()
    if modifier is None or str(modifier.type).endswith("By"):
        result = inner.keep(labels)
    else:
        result = inner.drop(labels)
    if op == "count_values" and isinstance(node.param, pp.StringLiteral):
        result = result.add(frozenset({str(node.param.val)}))
    return result


def _binary(node: pp.BinaryExpr, catalogue: Catalogue) -> LabelSet | None:
    lhs, rhs = infer(node.lhs, catalogue), infer(node.rhs, catalogue)
    if lhs is None or rhs is None:
        return lhs if rhs is None else rhs
    op = op_name(node)
    if op in ("and", "unless"):
        return lhs
    if op == "or":
        union = None if lhs.possible is None or rhs.possible is None else (
            lhs.possible | rhs.possible)
        return LabelSet(lhs.present & rhs.present, union)
    modifier = node.modifier
    matching = modifier.matching if modifier is not None else None
    card = str(modifier.card) if modifier is not None else "VectorMatchCardinality.OneToOne"
    if card.endswith("ManyToOne") or card.endswith("OneToMany"):
        side, other = (lhs, rhs) if card.endswith("ManyToOne") else (rhs, lhs)
        include = frozenset(modifier.group_labels or ()) if modifier is not None else frozenset()
        maybe = frozenset(x for x in include - other.present if not other.absent(x))
        return side.drop(include).add(include & other.present).add(maybe, surely=False)
    if matching is None:
        return lhs
    labels = frozenset(matching.labels)
    if str(matching.type).endswith("Include"):
        return lhs.keep(labels)
    return lhs.drop(labels)


def explicit_labels(node: Node) -> frozenset[str]:
    """Labels the expression names on purpose: by/without, on/ignoring, group_x, label_*."""
    named: set[str] = set()
    for n in nodes(node):
        if isinstance(n, pp.AggregateExpr) and n.modifier is not None:
            named |= set(n.modifier.labels)
        elif isinstance(n, pp.BinaryExpr) and n.modifier is not None:
            if n.modifier.matching is not None:
                named |= set(n.modifier.matching.labels)
            named |= set(n.modifier.group_labels or ())
        elif isinstance(n, pp.Call) and n.func.name in ("label_replace", "label_join"):
            named.add(str(n.args[1].val))
    return frozenset(named)


def is_comparison(node: Node) -> bool:
    return isinstance(node, pp.BinaryExpr) and op_name(node) in COMPARISONS


def unparen(node: Node) -> Node:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node
