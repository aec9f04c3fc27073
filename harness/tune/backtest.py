"""`harness backtest`: what candidate variants of alerts would have done over a server's
history (production time, no time scale), summarised per candidate.

Per candidate: the episodes that fired, the total and the longest time firing (an
episode still firing at the range's end counts up to the end) and pages per week
(fired episodes per 7 days of range). Candidates come from ``candidates.build_grid``,
as for ``harness tune``; the values from ``offline.evaluate``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from harness.durations import format_duration
from harness.offline.evaluate import Evaluation
from harness.rules.model import AlertRule
from harness.tune.candidates import Candidate, scaled_rule

WEEK_S = 7 * 86_400.0


@dataclass(frozen=True)
class Row:
    """One candidate of one alert, and what it did over the range."""

    alert: str
    candidate: Candidate
    evaluation: Evaluation
    end: float

    @property
    def firing(self) -> list[tuple[float, float]]:
        """(fired_at, resolved_at or the range's end) per fired episode, unix seconds."""
        return [
            (e.fired_at, e.resolved_at if e.resolved_at is not None else self.end)
            for e in self.evaluation.fired
            if e.fired_at is not None
        ]

    @property
    def episodes(self) -> int:
        return len(self.evaluation.fired)

    @property
    def total_s(self) -> float:
        return sum(b - a for a, b in self.firing)

    @property
    def longest_s(self) -> float:
        return max((b - a for a, b in self.firing), default=0.0)


@dataclass(frozen=True)
class BacktestResult:
    url: str
    start: float
    end: float
    rows: tuple[Row, ...]
    queries: int
    seconds: float

    @property
    def weeks(self) -> float:
        return max(self.end - self.start, 1.0) / WEEK_S

    def pages_per_week(self, row: Row) -> float:
        return row.episodes / self.weeks

    def to_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "start": _when(self.start),
            "end": _when(self.end),
            "queries": self.queries,
            "seconds": round(self.seconds, 3),
            "candidates": [
                {
                    "alert": r.alert,
                    **r.candidate.to_dict(),
                    "expr": r.evaluation.rule.expr,
                    "episodes": r.episodes,
                    "firing_s": r.total_s,
                    "longest_s": r.longest_s,
                    "pages_per_week": round(self.pages_per_week(r), 3),
                    "fired": [
                        {"labels": e.label_dict, "fired_at": _when(e.fired_at or 0),
                         "resolved_at": None if e.resolved_at is None else _when(e.resolved_at)}
                        for e in r.evaluation.fired
                    ],
                    "errors": [e.message for e in r.evaluation.errors],
                }
                for r in self.rows
            ],
        }


def candidate_rules(
    written: AlertRule, grid: Sequence[Candidate]
) -> list[tuple[Candidate, AlertRule]]:
    """Each candidate as a rule to evaluate (production time: no scaling)."""
    return [(c, scaled_rule(c, written, 1.0)) for c in grid]


def _when(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dur(seconds: float) -> str:
    return format_duration(round(seconds)) if seconds else "0s"


def table(result: BacktestResult) -> Table:
    t = Table(
        title=f"harness backtest: {len(result.rows)} candidates, {_when(result.start)} .. "
        f"{_when(result.end)} ({result.weeks * 7:.3g} days), {result.queries} range queries",
    )
    for name in ("", "alert", "candidate", "episodes", "firing", "longest", "pages/week"):
        t.add_column(name, no_wrap=True, justify="right" if name in ("episodes",) else "left")
    for r in result.rows:
        t.add_row(
            "*" if r.candidate.as_written else "",
            r.alert,
            r.candidate.label,
            str(r.episodes),
            _dur(r.total_s),
            _dur(r.longest_s),
            f"{result.pages_per_week(r):.3g}",
        )
    return t


def print_table(result: BacktestResult, console: Console | None = None) -> None:
    out = console or Console()
    out.print(table(result))
    out.print(f"* the rule as written; pages/week: fired episodes per 7 days of range; "
              f"evaluated in {result.seconds:.1f} s")
    for r in result.rows:
        for error in r.evaluation.errors:
            out.print(f"{r.alert} {r.candidate.label}: evaluation failed at "
                      f"{_when(error.at)}: {error.message}")


def to_json(result: BacktestResult) -> str:
    return json.dumps(result.to_dict(), indent=2)
