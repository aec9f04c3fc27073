"""vector-matching: binary operations between vectors whose label sets can never match.

Without ``on``/``ignoring``, ``and``/``unless`` and arithmetic/comparison between two
vectors pair series whose labels (all but ``__name__``) are identical. If one side
always carries a label the other side never has, no pair can form. ``or`` is a union,
never a matching mistake: its result carries the series of both sides.
"""

from __future__ import annotations

import promql_parser as pp

from harness.lint.labels import LabelSet, infer, op_name
from harness.lint.model import Finding, LintOptions, Query
from harness.rules.promql import nodes

CHECK = "vector-matching"
_EFFECT = {
    "and": "`and` keeps nothing: the expression is always empty",
    "unless": "`unless` removes nothing: the right side has no effect",
}


def check(query: Query, options: LintOptions) -> list[Finding]:
    found = []
    for node in nodes(query.node):
        if not isinstance(node, pp.BinaryExpr) or op_name(node) == "or":
            continue  # `or` is a union: series of either side, `x or vector(0)` fills gaps
        lhs = infer(node.lhs, options.catalogue)
        rhs = infer(node.rhs, options.catalogue)
        if lhs is None or rhs is None:
            continue  # a scalar side matches every series
        only_left, only_right = mismatch(node, lhs, rhs)
        if not (only_left or only_right):
            continue
        op = op_name(node)
        effect = _EFFECT.get(op, f"`{op}` pairs nothing: the expression is always empty")
        sides = "; ".join(
            f"only the {side} side has {', '.join(sorted(labels))}"
            for side, labels in (("left", only_left), ("right", only_right)) if labels)
        shared = sorted((lhs.present & rhs.present) - {"job", "instance"})
        on = f"on ({', '.join(shared)})" if shared else "on (<labels both sides share>)"
        found.append(query.finding(
            CHECK,
            f"`{op}` matches series on all their labels, and {sides}: no series of one "
            f"side can ever equal one of the other, so {effect}.\n"
            f"  left:  {node.lhs.prettify()}\n  right: {node.rhs.prettify()}",
            f"Match on the labels both sides share: `{op} {on}` (aggregate each side to "
            "those labels first, e.g. `sum by (...)`), or `ignoring(...)` the extra ones.",
        ))
    return found


def mismatch(
    node: pp.BinaryExpr, lhs: LabelSet, rhs: LabelSet
) -> tuple[frozenset[str], frozenset[str]]:
    """Labels compared by the match that surely exist on one side and never on the other."""
    matching = node.modifier.matching if node.modifier is not None else None
    if matching is not None and str(matching.type).endswith("Include"):
        compared = frozenset(matching.labels)

        def counts(label: str) -> bool:
            return label in compared
    else:
        ignored = frozenset(matching.labels) if matching is not None else frozenset()

        def counts(label: str) -> bool:
            return label not in ignored

    only_left = frozenset(x for x in lhs.present if counts(x) and rhs.absent(x))
    only_right = frozenset(x for x in rhs.present if counts(x) and lhs.absent(x))
    return only_left, only_right
