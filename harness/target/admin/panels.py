"""The page's PromQL, read from the corrected Grafana dashboards (one source of truth).

Each key of the page names a panel target (dashboard title, panel title, refId); its
expression is taken from the dashboard JSON as written, and its range windows are
divided by the time scale k as the harness's queries checks divide them (the
dashboards' 5m is 5 s at k=60). The target sits below ``harness.rules`` (the AST
rewrite) in the layer order, so windows are rewritten here by a pattern: the
dashboards use plain range selectors only (no subqueries, no offsets), and a unit test
compares the result with ``harness.rules.rewrite.scale_expression`` for every panel.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.durations import format_ms, parse_ms

_API = "API Overview (corrected)"
_DB = "Database Performance (corrected)"
_QUEUES = "Queue Workers (corrected)"
_BUS = "EventBus (corrected)"


@dataclass(frozen=True)
class PanelRef:
    """Where a page figure's expression lives, and how its value is shown."""

    key: str
    label: str  # the page's name for it
    dashboard: str
    panel: str
    ref_id: str
    unit: str
    factor: float = 1.0  # shown value = factor * query value (ratio -> %, s -> ms)


PANELS: tuple[PanelRef, ...] = (
    PanelRef("request_rate", "API request rate", _API, "Request rate (requests/sec)", "A", "req/s"),
    PanelRef("error_rate", "Error rate", _API, "Error rate (%)", "A", "%", 100.0),
    PanelRef("p95_latency", "P95 latency", _API, "P50/P95/P99 latency", "B", "ms", 1000.0),
    PanelRef(
        "db_query_rate", "Database query rate", _DB, "Query rate (queries/sec)", "A", "queries/s"
    ),
    PanelRef("queue_waiting", "Waiting jobs", _QUEUES, "Waiting jobs by queue", "A", "jobs"),
    PanelRef("queue_active", "Active jobs", _QUEUES, "Active jobs by queue", "A", "jobs"),
    PanelRef("jobs_rate", "Jobs completed", _QUEUES, "Jobs processed/sec by queue", "A", "jobs/s"),
    PanelRef("events_published", "Events published", _BUS, "Events published/sec", "A", "events/s"),
    PanelRef("events_consumed", "Events consumed", _BUS, "Events consumed/sec", "A", "events/s"),
    PanelRef("eventbus_depth", "EventBus pending events", _BUS, "Queue depth", "A", "events"),
)
# The figures charted as trends (range queries over the last minutes).
TRENDS = ("request_rate", "error_rate", "p95_latency", "db_query_rate", "events_published")

_RANGE = re.compile(r"\[((?:\d+(?:ms|[ywdhms]))+)\]")


@dataclass(frozen=True)
class PanelQuery:
    ref: PanelRef
    expr: str  # as the dashboard writes it
    scaled: str  # windows divided by the time scale: what the page runs
    window_s: float  # the longest scaled range window


class DashboardError(Exception):
    """A dashboard file or panel the page needs is missing or malformed."""


def scale_windows(expr: str, time_scale: float) -> tuple[str, float]:
    """``expr`` with every range selector's duration divided by ``time_scale`` (whole
    milliseconds, at least 1 ms), and the longest scaled window in seconds."""
    longest = 0

    def scaled(match: re.Match[str]) -> str:
        nonlocal longest
        ms = max(1, round(parse_ms(match.group(1)) / time_scale))
        longest = max(longest, ms)
        return f"[{format_ms(ms)}]"

    return _RANGE.sub(scaled, expr), longest / 1000


def _targets(directory: Path) -> dict[tuple[str, str, str], str]:
    """Every panel target's expression in the dashboards of ``directory``."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise DashboardError(f"no dashboard JSON in {directory}")
    out: dict[tuple[str, str, str], str] = {}
    for path in files:
        try:
            board = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DashboardError(f"{path}: {exc}") from exc
        for panel in _panels(board.get("panels", [])):
            for target in panel.get("targets", []):
                if target.get("expr"):
                    key = (board.get("title", ""), panel.get("title", ""), target.get("refId"))
                    out[key] = target["expr"]
    return out


def _panels(panels: list[Any]) -> list[dict[str, Any]]:
    out = []
    for panel in panels:
        out.append(panel)
        out.extend(_panels(panel.get("panels", [])))  # rows hold their panels
    return out


def load_queries(directory: Path, time_scale: float) -> dict[str, PanelQuery]:
    """The page's queries by key; ``DashboardError`` names a panel that is not there."""
    targets = _targets(directory)
    out = {}
    for ref in PANELS:
        expr = targets.get((ref.dashboard, ref.panel, ref.ref_id))
        if expr is None:
            raise DashboardError(
                f"panel {ref.panel!r} target {ref.ref_id} not in {ref.dashboard!r} ({directory})"
            )
        text, window = scale_windows(expr, time_scale)
        out[ref.key] = PanelQuery(ref, expr, text, window)
    return out
