"""Candidate variants of one alerting rule: the grid `harness tune` evaluates.

Options are production time (``--for 0,1m,5m``); a recording was made at time scale
k, so each candidate is evaluated as its scaled twin: ``for``/``keep_firing_for``
divided by k, a free-form ``--expr``'s windows rewritten by ``rules.rewrite`` (as
``harness run`` scales the rules it runs). A threshold variant keeps the rule's own
(scaled) vector side, so all thresholds share one range query (``offline.evaluate``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from harness.durations import format_duration, parse_duration
from harness.errors import InputError
from harness.rules import promql
from harness.rules.condition import Comparison, split_comparison
from harness.rules.model import AlertRule
from harness.rules.rewrite import scale_expression

MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class Candidate:
    """One variant, production time. ``expr`` None: the rule's own expression."""

    threshold: float | None  # None: the expression's own (or no comparison)
    for_s: float
    keep_firing_for_s: float
    expr: str | None = None
    as_written: bool = False

    @property
    def label(self) -> str:
        what = self.expr if self.expr is not None else f"> {_num(self.threshold)}"
        if self.expr is None and self.threshold is None:
            what = "expr as written"
        extra = f" keep {format_duration(self.keep_firing_for_s)}" if self.keep_firing_for_s else ""
        return f"{what} for {format_duration(self.for_s)}{extra}"

    # A field-by-field to_dict, like load.shape_plan's: different records.
    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "threshold": self.threshold,
            "for_s": self.for_s,
            "keep_firing_for_s": self.keep_firing_for_s,
            "expr": self.expr,
            "as_written": self.as_written,
        }


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def parse_thresholds(values: Sequence[str]) -> list[float]:
    """``0.02:0.10:0.01`` (start:stop:step, stop included), ``0.05`` or ``0.03,0.05``."""
    found: list[float] = []
    for value in values:
        for part in value.split(","):
            found += _threshold_part(part.strip())
    return sorted(set(found))


def _threshold_part(text: str) -> list[float]:
    try:
        pieces = [Decimal(p) for p in text.split(":")]
    except InvalidOperation:
        raise InputError(
            f"--threshold {text!r} is not a number or a range start:stop:step "
            "(e.g. 0.02:0.10:0.01)"
        ) from None
    if len(pieces) == 1:
        return [float(pieces[0])]
    if len(pieces) != 3 or pieces[2] <= 0 or pieces[1] < pieces[0]:
        raise InputError(f"--threshold {text!r}: a range is start:stop:step, step > 0")
    start, stop, step = pieces
    count = int((stop - start) / step) + 1
    if count > MAX_CANDIDATES:
        raise InputError(f"--threshold {text!r} makes {count} values (at most {MAX_CANDIDATES})")
    return [float(start + i * step) for i in range(count)]


def parse_durations(values: Sequence[str], option: str) -> list[float]:
    """``0,1m,5m`` (repeatable) -> seconds."""
    found: list[float] = []
    for value in values:
        for part in value.split(","):
            try:
                found.append(parse_duration(part.strip()))
            except ValueError as exc:
                raise InputError(f"{option} {part.strip()!r}: {exc}") from None
    return sorted(set(found))


def production_rule(scaled: AlertRule, k: float) -> AlertRule:
    """The rule as written, from the rule as run at time scale k (durations times k)."""
    return replace(
        scaled,
        expr=scale_expression(scaled.expr, 1 / k).text,
        for_s=round(scaled.for_s * k, 3),
        keep_firing_for_s=round(scaled.keep_firing_for_s * k, 3),
    )


def build_grid(
    written: AlertRule,
    thresholds: Sequence[float],
    fors: Sequence[float],
    keeps: Sequence[float],
    exprs: Sequence[str],
) -> list[Candidate]:
    """Every combination; an option not given keeps the rule's own value. The rule as
    written is always one of them (added if the grid misses it)."""
    comparison = split_comparison(written.expr)
    if thresholds and comparison is None:
        raise InputError(
            f"--threshold: the expression of {written.name} is not a comparison against a "
            "number; give whole variants with --expr"
        )
    own = comparison.threshold if comparison else None
    shapes: list[tuple[float | None, str | None]] = [(t, None) for t in thresholds]
    shapes += [(None, _checked(e)) for e in exprs]
    shapes = shapes or [(own, None)]
    grid = [
        Candidate(t, f, kf, e)
        for (t, e), f, kf in itertools.product(
            shapes, fors or [written.for_s], keeps or [written.keep_firing_for_s]
        )
    ]
    mine = Candidate(own, written.for_s, written.keep_firing_for_s, None, as_written=True)
    marked = [replace(c, as_written=True) if _same(c, mine) else c for c in grid]
    if not any(c.as_written for c in marked):
        marked.append(mine)
    if len(marked) > MAX_CANDIDATES:
        raise InputError(f"{len(marked)} candidates: at most {MAX_CANDIDATES}")
    return marked


def _checked(expr: str) -> str:
    try:
        promql.parse(expr)
    except promql.PromQLError as exc:
        raise InputError(f"--expr {expr!r} does not parse: {exc}") from None
    return expr


def _same(a: Candidate, b: Candidate) -> bool:
    close = abs(a.for_s - b.for_s) < 1e-3 and abs(a.keep_firing_for_s - b.keep_firing_for_s) < 1e-3
    return close and a.expr is None and a.threshold == b.threshold


def scaled_rule(candidate: Candidate, run: AlertRule, k: float) -> AlertRule:
    """The candidate as the recording's stack would have run it (``run``: the rule as
    run, scaled by k)."""
    expr = run.expr
    if candidate.expr is not None:
        expr = scale_expression(candidate.expr, k).text
    elif candidate.threshold is not None:
        comparison: Comparison | None = split_comparison(run.expr)
        assert comparison is not None
        expr = comparison.with_threshold(candidate.threshold)
    return replace(
        run,
        expr=expr,
        for_s=candidate.for_s / k,
        keep_firing_for_s=candidate.keep_firing_for_s / k,
    )
