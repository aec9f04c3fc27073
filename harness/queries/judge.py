"""Compare what a panel's query returned with the ground truth, and say so with numbers.

A check names the breakdown its panel's title allows (``by``: "Jobs processed/sec by
queue" -> queue; "Error rate (%)" -> none, the total). Each series is compared with
the truth for its group. A query that splits a group into several series (by tenant,
by status code...) shows no line with the value the title claims: each piece is
compared with the whole and the message says how the query split it. Groups the truth
has but the query lacks fail too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from harness.queries.units import fmt, fmt_delta

Key = tuple[str, ...]
_QUIET_LABELS = ("__name__",)


@dataclass(frozen=True)
class Series:
    labels: Mapping[str, str]
    value: float  # mean over the evaluation span, in the truth's base unit


@dataclass(frozen=True)
class QueryResult:
    expr: str  # as it ran (windows scaled)
    series: tuple[Series, ...] = ()
    error: str | None = None
    span: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Tolerance:
    abs: float = 0.0
    rel: float = 0.0
    bucket: bool = False  # quantiles: anywhere in the histogram bucket that holds the truth

    def allowed(self, truth: float) -> float:
        return max(self.abs, self.rel * abs(truth))


@dataclass
class Truth:
    """Values per full key of ``dims``; ``at`` sums them to a coarser key.

    ``den`` makes it a ratio (numerator and denominator summed first, never a mean of
    ratios). ``buckets``: histogram bounds for a bucket tolerance; ``in_bucket``: the
    truth is only known to lie in its bucket (printed as an interval). ``slack`` widens
    the tolerance for a reason given in ``note``.
    """

    values: Mapping[Key, float]
    dims: tuple[str, ...] = ()
    source: str = ""
    unit: str = "count"
    den: Mapping[Key, float] | None = None
    note: str = ""
    slack: float = 0.0
    buckets: tuple[float, ...] = field(default=())
    in_bucket: bool = False
    # Quantiles: the truth at phi -/+ the rank uncertainty of one window's estimate; a
    # bucket tolerance then spans the buckets from the low one's to the high one's.
    band: tuple[float, float] | None = None
    band_note: str = ""
    # A ratio as a panel averages it: (num, den) per evaluation instant; ``at`` is then
    # the mean over instants of each instant's ratio (instants without requests skipped).
    instants: Sequence[tuple[Mapping[Key, float], Mapping[Key, float]]] = field(default=())

    @classmethod
    def scalar(cls, value: float, **kw: object) -> Truth:
        return cls({(): value}, (), **kw)  # type: ignore[arg-type]

    def at(self, dims: Sequence[str], key: Key) -> float | None:
        if self.instants:
            ratios = []
            for num_i, den_i in self.instants:
                den = _sum(den_i, self.dims, dims, key)
                if den:
                    ratios.append(_sum(num_i, self.dims, dims, key) / den)
            return sum(ratios) / len(ratios) if ratios else None
        num = _sum(self.values, self.dims, dims, key)
        if self.den is None:
            return num
        den = _sum(self.den, self.dims, dims, key)
        return num / den if den else None

    def keys(self, dims: Sequence[str]) -> list[Key]:
        idx = [self.dims.index(d) for d in dims]
        base = self.den if self.den is not None else self.values
        return sorted({tuple(k[i] for i in idx) for k in base})


def _sum(values: Mapping[Key, float], have: Sequence[str], dims: Sequence[str], key: Key) -> float:
    idx = [list(have).index(d) for d in dims]
    return sum(v for k, v in values.items() if tuple(k[i] for i in idx) == key)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str
    query_value: float | None = None
    truth_value: float | None = None


@dataclass(frozen=True)
class _Row:
    where: str  # 'route=/api/grades', or 'the total'
    labels: Mapping[str, str] | None  # None: a group the query has no series for
    value: float | None
    truth: float
    ok: bool
    miss: float  # how far outside the tolerance, in tolerances
    split: tuple[str, ...] = ()  # labels that split this group into several series
    pieces: int = 1


def judge(
    title: str,
    result: QueryResult,
    truth: Truth | None,
    *,
    by: Sequence[str] = (),
    tolerance: Tolerance = Tolerance(),
    expect_data: bool = True,
    no_truth_reason: str = "",
) -> Verdict:
    """``title``: "panel 'Error rate (%)' (API Overview)", the start of every message."""
    if result.error:
        return Verdict(False, f"{title}: query failed: {result.error}\n  query: {result.expr}")
    finite = [s for s in result.series if math.isfinite(s.value)]
    if not expect_data:
        if finite:
            return Verdict(
                False,
                f"{title}: declares no data (expectData false) but returned "
                f"{len(finite)} series; update the panel's declaration",
            )
        return Verdict(True, f"{title}: runs; no data, as the panel declares")
    if not finite:
        return Verdict(False, f"{title}: query returned no data\n  query: {result.expr}")
    if truth is None:
        why = f" ({no_truth_reason})" if no_truth_reason else ""
        return Verdict(True, f"{title}: runs, {len(finite)} series; no ground truth{why}")
    dims = [d for d in by if d in truth.dims and any(d in s.labels for s in finite)]
    rows = _rows(finite, truth, dims, tolerance)
    if not rows:
        return Verdict(
            False, f"{title}: no series the ground truth can judge\n  query: {result.expr}"
        )
    bad = [r for r in rows if not r.ok]
    worst = max(bad or rows, key=lambda r: (r.miss, abs(r.truth)))
    head = f"{title}: {_pair(worst, truth)} — {_tolerance(worst.truth, truth, tolerance)}"
    if not bad:
        extra = f" ({len(rows)} series checked)" if len(rows) > 1 else ""
        return Verdict(True, head + extra, worst.value, worst.truth)
    lines = [head]
    if worst.labels is not None and len(finite) > 1:
        lines.append(f"  worst of {len(finite)} series: {_labels(worst.labels)}")
    if worst.split:
        lines.append(
            f"  the query splits {worst.where} into {worst.pieces} series by "
            f"{', '.join(worst.split)}; the panel claims one value"
            + (f" per {', '.join(dims)}" if dims else "")
        )
    if len(bad) > 1:
        lines.append(f"  {len(bad)} of {len(rows)} series outside the tolerance")
    if truth.note and not truth.slack:
        lines.append(f"  note: {truth.note}")
    lines.append(f"  query: {result.expr}")
    return Verdict(False, "\n".join(lines), worst.value, worst.truth)


def _rows(
    series: Sequence[Series], truth: Truth, dims: Sequence[str], tol: Tolerance
) -> list[_Row]:
    groups: dict[Key, list[Series]] = {}
    for s in series:
        groups.setdefault(tuple(s.labels.get(d, "") for d in dims), []).append(s)
    rows: list[_Row] = []
    for key, members in groups.items():
        expected = truth.at(dims, key)
        if expected is None:
            continue  # nothing to compare with (a ratio over no requests)
        split = _varying(members) if len(members) > 1 else ()
        for s in members:
            rows.append(
                _row(dims, key, s.labels, s.value, expected, truth, tol, split, len(members))
            )
    for key in truth.keys(dims):
        expected = truth.at(dims, key)
        if key not in groups and expected is not None:
            missing = _row(dims, key, None, None, expected, truth, tol, (), 0)
            if not missing.ok:
                rows.append(missing)
    return rows


def _row(
    dims: Sequence[str],
    key: Key,
    labels: Mapping[str, str] | None,
    value: float | None,
    expected: float,
    truth: Truth,
    tol: Tolerance,
    split: tuple[str, ...],
    pieces: int,
) -> _Row:
    seen = 0.0 if value is None else value
    where = ", ".join(f"{d}={v}" for d, v in zip(dims, key, strict=True)) or "the total"
    if tol.bucket:
        lo, hi = _bucket_span(expected, truth)
        ok = value is not None and lo <= seen <= hi
        width = hi - lo if math.isfinite(hi) and hi > lo else max(abs(expected), 1e-9)
        miss = min(abs(seen - lo), abs(seen - hi)) / width + 1 if not ok else (seen - lo) / width
    else:
        allowed = tol.allowed(expected) + truth.slack
        diff = abs(seen - expected)
        ok = diff <= allowed + 1e-12
        miss = diff / allowed if allowed else (math.inf if diff else 0.0)
    return _Row(where, labels, value, expected, ok, miss, split, pieces)


def bucket_of(value: float, bounds: Sequence[float]) -> tuple[float, float]:
    """(lower, upper] of the histogram bucket holding ``value``; upper is +Inf past the last."""
    lower = 0.0
    for le in sorted(bounds):
        if value <= le:
            return lower, le
        lower = le
    return lower, math.inf


def _bucket_span(expected: float, truth: Truth) -> tuple[float, float]:
    if truth.band is None:
        return bucket_of(expected, truth.buckets)
    return bucket_of(truth.band[0], truth.buckets)[0], bucket_of(truth.band[1], truth.buckets)[1]


def _varying(members: Sequence[Series]) -> tuple[str, ...]:
    names = sorted({k for s in members for k in s.labels} - set(_QUIET_LABELS))
    return tuple(n for n in names if len({s.labels.get(n) for s in members}) > 1)


def _truth_text(row: _Row, truth: Truth) -> str:
    if truth.in_bucket:
        lo, hi = bucket_of(row.truth, truth.buckets)
        return f"in ({fmt(lo, truth.unit)}, {fmt(hi, truth.unit)}] ({truth.source})"
    return f"{fmt(row.truth, truth.unit)} ({truth.source})"


def _pair(row: _Row, truth: Truth) -> str:
    if row.labels is None or row.value is None:
        return f"no series for {row.where}, ground truth {_truth_text(row, truth)}"
    where = f" for {row.where}" if row.where != "the total" else ""
    returned = fmt(row.value, truth.unit)
    return f"query returned {returned}{where}, ground truth {_truth_text(row, truth)}"


def _tolerance(expected: float, truth: Truth, tol: Tolerance) -> str:
    if tol.bucket:
        lo, hi = _bucket_span(expected, truth)
        where = f"({fmt(lo, truth.unit)}, {fmt(hi, truth.unit)}]"
        if truth.band and truth.band_note:
            return f"tolerance: the histogram buckets holding {truth.band_note}, {where}"
        return f"tolerance: the histogram bucket {where}"
    text = f"tolerance {fmt_delta(tol.allowed(expected) + truth.slack, truth.unit)}"
    if truth.slack:
        text += f" (of which {fmt_delta(truth.slack, truth.unit)}: {truth.note})"
    return text


def _labels(labels: Mapping[str, str]) -> str:
    shown = {k: v for k, v in labels.items() if k not in ("__name__", "instance")}
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items())) + "}"
