"""Alert templates that cannot say what they mean.

- template-label-dropped: `{{ $labels.queue }}` when no series of the expression has a
  `queue` label (aggregated away, or a rule label: rule labels are not in $labels).
  Prometheus prints an empty string.
- template-value-pinned: `{{ $value }}` when the value that reaches the alert is fixed:
  the left side of `and`/`unless` is a filter like `x == 0`, so $value is
  always that constant, not the number the text describes (the other side's).
"""

from __future__ import annotations

import re

import promql_parser as pp

from harness.lint.labels import infer, op_name, unparen
from harness.lint.model import Finding, LintOptions, Query

LABEL_DROPPED = "template-label-dropped"
VALUE_PINNED = "template-value-pinned"
_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
_LABEL_REF = re.compile(
    r"(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+\"([^\"]+)\"")
_VALUE_REF = re.compile(r"\$value\b|\.Value\b")
# `VALUE = {{ $value }}`: printed as what it is, the alert's value, not as a quantity.
_AS_VALUE = re.compile(r"\bvalue\s*[:=]?\s*\{\{[^}]*\$value[^}]*\}\}", re.I)


def check(query: Query, options: LintOptions) -> list[Finding]:
    if query.rule is None:
        return []
    fields = {f"annotations.{k}": v for k, v in query.rule.annotations.items()}
    fields |= {f"labels.{k}": v for k, v in query.rule.labels.items()}
    return _dropped(query, fields, options) + _pinned(query, fields)


def template_labels(text: str) -> set[str]:
    """The series labels a template names (`$labels.x`, `.Labels.x`, `index $labels "x"`)."""
    return {a or b for action in _ACTION.findall(text) for a, b in _LABEL_REF.findall(action)}


def _dropped(query: Query, fields: dict[str, str], options: LintOptions) -> list[Finding]:
    labels = infer(query.node, options.catalogue)
    if labels is None:
        return []
    found = []
    for where, text in fields.items():
        refs = template_labels(text)
        for label in sorted(x for x in refs if labels.absent(x)):
            rule_label = query.rule is not None and label in query.rule.labels
            why = ("it is a rule label, and $labels holds only the series' labels"
                   if rule_label else "no series of the expression carries it")
            known = labels.possible if labels.possible is not None else labels.present
            have = ", ".join(sorted(known - {"__name__"})) or "none"
            found.append(query.finding(
                LABEL_DROPPED,
                f"{where} uses `$labels.{label}`, but {why} (the result's labels: {have}): "
                "Prometheus renders it as an empty string.",
                f"Keep `{label}` in the expression (`sum by ({label}) (...)`), or remove it "
                "from the template." if not rule_label else
                f"Write the value itself instead of `$labels.{label}`.",
            ))
    return found


def _pinned(query: Query, fields: dict[str, str]) -> list[Finding]:
    uses = [w for w, t in fields.items()
            if any(_VALUE_REF.search(a) for a in _ACTION.findall(_AS_VALUE.sub("", t)))]
    source = _value_source(query.node)
    if not uses or source is None:
        return []
    value, via = source
    return [query.finding(
        VALUE_PINNED,
        f"{', '.join(uses)} print{'s' if len(uses) == 1 else ''} `$value`, which is the "
        f"value of {via}: always {value:g}, whatever the alert is about.",
        "Put the quantity the text describes on the left side of `and`/`unless` (e.g. "
        "`waiting > 0 unless on (queue) rate(completed) > 0`), or drop `$value` from the "
        "text.",
    )]


def _value_source(node: pp.Expr, *, inner: bool = False) -> tuple[float, str] | None:
    """(constant, what) if the alert's value is pinned to a constant hidden on the left of
    `and`/`unless` (``inner``). A bare `up == 0` whose text prints `VALUE = 0` says what
    the alert is: the value is the condition, not a quantity the text misreports."""
    node = unparen(node)
    if not isinstance(node, pp.BinaryExpr):
        return None
    op = op_name(node)
    if op in ("and", "unless"):
        pinned = _value_source(node.lhs, inner=True)
        if pinned is None:
            return None
        return pinned[0], f"the left side of `{op}`, `{unparen(node.lhs).prettify()}`"
    modifier = node.modifier
    if modifier is not None and modifier.return_bool:
        return None  # 0 or 1: a bool alert value is rare and deliberate
    lhs, rhs = unparen(node.lhs), unparen(node.rhs)
    literal = rhs if isinstance(rhs, pp.NumberLiteral) else (
        lhs if isinstance(lhs, pp.NumberLiteral) else None)
    if op == "==" and literal is not None and inner:
        return float(literal.val), f"`{node.prettify()}`"
    if op in (">", "<", ">=", "<=", "!=") and literal is not None:
        return _value_source(rhs if literal is lhs else lhs, inner=inner)
    return None
