"""Locust's own record of a run, parsed into ``LoadStats`` (the ground truth for verdicts).

Sources, in the order they are trusted:

- ``<prefix>.json`` (``--json-file``): written at shutdown after every user stopped, so it is
  complete. Per endpoint: counts, failures, the response-time histogram (percentiles are
  recomputed exactly as Locust does) and requests/failures per epoch second.
- ``<prefix>_stats.csv``: rewritten every second; misses up to the last second of a run. Used
  only when the JSON is absent (a killed run); ``LoadStats.complete`` is then False.
- ``<prefix>_stats_history.csv``: one row per second: user count, cumulative totals, current
  (10 s window) rate and percentiles.
- ``<prefix>_failures.csv`` and ``<prefix>_exceptions.csv``: failure kinds, locustfile errors.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.load.errors import LoadError
from harness.load.shape_plan import PhaseMark, read_phase_log

AGGREGATED = "Aggregated"


@dataclass(frozen=True)
class EndpointStats:
    method: str  # "" for the aggregate
    name: str  # the route template, e.g. /api/students/{id}
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    avg_ms: float | None
    max_ms: float | None
    # Requests and failures completed in each epoch second (from the JSON; empty from CSV).
    per_second: Mapping[int, int] = field(default_factory=dict)
    failures_per_second: Mapping[int, int] = field(default_factory=dict)
    # Locust's rounded response-time histogram, ms -> count (from the JSON; empty from CSV).
    response_times: Mapping[int, int] = field(default_factory=dict)

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    def percentile(self, fraction: float) -> float | None:
        """Any percentile (0 < fraction <= 1) from the histogram; None without one."""
        timed = sum(self.response_times.values())
        return float(percentile(self.response_times, timed, fraction)) if timed else None


# Same fields as report.model.HistoryPoint (the report.json schema); load/ sits below report/.
@dataclass(frozen=True)
class HistoryPoint:
    """One row of the 1 s history for the aggregate (Locust's current 10 s window)."""

    timestamp: int
    user_count: int
    rps: float
    failures_per_s: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    total_requests: int
    total_failures: int


@dataclass(frozen=True)
class FailureKind:
    method: str
    name: str
    error: str
    occurrences: int


@dataclass(frozen=True)
class LoadStats:
    endpoints: tuple[EndpointStats, ...]
    total: EndpointStats
    history: tuple[HistoryPoint, ...] = ()
    failure_kinds: tuple[FailureKind, ...] = ()
    exceptions: tuple[str, ...] = ()  # errors raised inside the locustfile (a bug, not a fault)
    phases: tuple[PhaseMark, ...] = ()
    complete: bool = True  # False: read from the CSV of a run that did not shut down cleanly

    def endpoint(self, name: str, method: str | None = None) -> EndpointStats:
        """The stats of one endpoint; LoadError listing the known ones if there is none."""
        hits = [e for e in self.endpoints if e.name == name and method in (None, e.method)]
        if len(hits) == 1:
            return hits[0]
        known = ", ".join(f"{e.method} {e.name}" for e in self.endpoints) or "none"
        what = f"{method} {name}" if method else name
        problem = "several" if hits else "no"
        raise LoadError(f"Locust recorded {problem} endpoint {what!r}; recorded: {known}.")

    def by_endpoint(self) -> dict[tuple[str, str], EndpointStats]:
        return {(e.method, e.name): e for e in self.endpoints}

    def per_second(self) -> list[tuple[int, int, int]]:
        """(epoch second, requests, failures) over all endpoints, every second in range."""
        reqs: dict[int, int] = {}
        fails: dict[int, int] = {}
        for e in self.endpoints:
            for t, n in e.per_second.items():
                reqs[t] = reqs.get(t, 0) + n
            for t, n in e.failures_per_second.items():
                fails[t] = fails.get(t, 0) + n
        if not reqs:
            return []
        return [(t, reqs.get(t, 0), fails.get(t, 0)) for t in range(min(reqs), max(reqs) + 1)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dir(cls, directory: Path, prefix: str = "locust") -> LoadStats:
        base = Path(directory) / prefix
        json_path = base.with_name(base.name + ".json")
        csv_path = base.with_name(base.name + "_stats.csv")
        if json_path.exists():
            endpoints = _endpoints_from_json(json.loads(json_path.read_text(encoding="utf-8")))
            total, complete = _aggregate(endpoints), True
        elif csv_path.exists():
            rows = _endpoints_from_csv(_rows(csv_path))
            endpoints = tuple(e for e in rows if e.name != AGGREGATED)
            total = rows[0] if rows and rows[0].name == AGGREGATED else _aggregate(endpoints)
            complete = False
        else:
            raise LoadError(f"Locust left no statistics in {directory} ({json_path.name} missing).")
        return cls(
            endpoints=endpoints,
            total=total,
            history=live_history(directory, prefix),
            failure_kinds=tuple(
                FailureKind(r["Method"], r["Name"], r["Error"], int(r["Occurrences"]))
                for r in _rows(base.with_name(base.name + "_failures.csv"))
            ),
            exceptions=tuple(
                f"{r['Count']}x {r['Message']}"
                for r in _rows(base.with_name(base.name + "_exceptions.csv"))
            ),
            phases=read_phase_log(Path(directory) / "phases.jsonl"),
            complete=complete,
        )


def percentile(response_times: Mapping[int, int], count: int, fraction: float) -> int:
    """Locust's own percentile over its rounded response-time histogram (stats.py)."""
    wanted = int(count * fraction)
    seen = 0
    for rt in sorted(response_times, reverse=True):
        seen += response_times[rt]
        if count - seen <= wanted:
            return rt
    return 0


def _endpoints_from_json(entries: Iterable[Mapping[str, Any]]) -> tuple[EndpointStats, ...]:
    out = []
    for e in entries:
        times = {int(k): int(v) for k, v in (e.get("response_times") or {}).items()}
        count = int(e["num_requests"])
        timed = count - int(e.get("num_none_requests") or 0)
        out.append(
            _from_histogram(
                str(e["method"]),
                str(e["name"]),
                requests=count,
                failures=int(e["num_failures"]),
                times=times,
                total_ms=float(e["total_response_time"]),
                max_ms=float(e["max_response_time"]) if timed else None,
                per_second=_int_map(e.get("num_reqs_per_sec")),
                failures_per_second=_int_map(e.get("num_fail_per_sec")),
            )
        )
    return tuple(sorted(out, key=lambda s: (s.name, s.method)))


def _from_histogram(
    method: str,
    name: str,
    *,
    requests: int,
    failures: int,
    times: dict[int, int],
    total_ms: float,
    max_ms: float | None,
    per_second: dict[int, int],
    failures_per_second: dict[int, int],
) -> EndpointStats:
    timed = sum(times.values())

    def pct(fraction: float) -> float | None:
        return float(percentile(times, timed, fraction)) if timed else None

    return EndpointStats(
        method=method,
        name=name,
        requests=requests,
        failures=failures,
        p50_ms=pct(0.50),
        p95_ms=pct(0.95),
        p99_ms=pct(0.99),
        avg_ms=total_ms / timed if timed else None,
        max_ms=max_ms,
        per_second=per_second,
        failures_per_second=failures_per_second,
        response_times=times,
    )


def _endpoints_from_csv(rows: Iterable[Mapping[str, str]]) -> tuple[EndpointStats, ...]:
    out = [_from_csv_row(r) for r in rows]
    return tuple(sorted(out, key=lambda s: (s.name != AGGREGATED, s.name, s.method)))


def _from_csv_row(r: Mapping[str, str]) -> EndpointStats:
    return EndpointStats(
        method=r["Type"],
        name=r["Name"],
        requests=int(r["Request Count"]),
        failures=int(r["Failure Count"]),
        p50_ms=_num(r.get("50%")),
        p95_ms=_num(r.get("95%")),
        p99_ms=_num(r.get("99%")),
        avg_ms=_num(r.get("Average Response Time")),
        max_ms=_num(r.get("Max Response Time")),
    )


def _aggregate(endpoints: tuple[EndpointStats, ...]) -> EndpointStats:
    """Totals over all endpoints, percentiles from the merged histogram (as Locust does)."""
    times: dict[int, int] = {}
    per_second: dict[int, int] = {}
    fails: dict[int, int] = {}
    for e in endpoints:
        for src, dst in (
            (e.response_times, times),
            (e.per_second, per_second),
            (e.failures_per_second, fails),
        ):
            for k, n in src.items():
                dst[k] = dst.get(k, 0) + n
    timed = sum(times.values())
    total_ms = sum((e.avg_ms or 0.0) * sum(e.response_times.values()) for e in endpoints)
    maxima = [e.max_ms for e in endpoints if e.max_ms is not None]
    return _from_histogram(
        "",
        AGGREGATED,
        requests=sum(e.requests for e in endpoints),
        failures=sum(e.failures for e in endpoints),
        times=times,
        total_ms=total_ms if timed else 0.0,
        max_ms=max(maxima) if maxima else None,
        per_second=per_second,
        failures_per_second=fails,
    )


def live_history(directory: Path, prefix: str = "locust") -> tuple[HistoryPoint, ...]:
    """The 1 s history so far: Locust appends to it while it runs (empty before that)."""
    return _history(_rows(Path(directory) / f"{prefix}_stats_history.csv"))


def _history(rows: Iterable[Mapping[str, str]]) -> tuple[HistoryPoint, ...]:
    return tuple(
        HistoryPoint(
            timestamp=int(r["Timestamp"]),
            user_count=int(r["User Count"]),
            rps=float(r["Requests/s"]),
            failures_per_s=float(r["Failures/s"]),
            p50_ms=_num(r.get("50%")),
            p95_ms=_num(r.get("95%")),
            p99_ms=_num(r.get("99%")),
            total_requests=int(r["Total Request Count"]),
            total_failures=int(r["Total Failure Count"]),
        )
        for r in rows
        if r["Name"] == AGGREGATED
    )


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _num(value: str | None) -> float | None:
    if value in (None, "", "N/A"):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _int_map(raw: Mapping[str, Any] | None) -> dict[int, int]:
    return {int(k): int(v) for k, v in (raw or {}).items()}
