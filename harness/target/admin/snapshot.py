"""The page's JSON: one snapshot of every figure (instant queries at one time), and the
trends (range queries over the last minutes). Prometheus, Alertmanager and the worker
are asked concurrently; each part that fails carries its own error and the rest stays."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from harness.target.admin import sources
from harness.target.admin.panels import TRENDS, PanelQuery
from harness.target.admin.users import ActiveUsers

NOT_CONFIGURED = "Prometheus not configured"
AM_NOT_CONFIGURED = "Alertmanager not configured"
TREND_SPAN = 300.0  # seconds of history in the charts
TREND_POINTS = 150  # at most, per series
# Panels with one series: their figure is that series' value; the others list series.
SINGLE = ("request_rate", "error_rate", "p95_latency", "db_query_rate")
Health = Callable[[], Awaitable[tuple[int, dict[str, Any]]]]


@dataclass
class Monitor:
    """What the page's endpoints read; ``queries`` empty with ``query_error`` when the
    dashboards could not be read."""

    http: httpx.AsyncClient
    health: Health
    users: ActiveUsers
    prometheus: str | None = None
    alertmanager: str | None = None
    worker: str | None = None
    queries: dict[str, PanelQuery] = field(default_factory=dict)
    query_error: str | None = None
    refresh: float = 3.0
    clock: Callable[[], float] = time.time

    @property
    def window_s(self) -> float:
        """The figures' rate window (the dashboards' 5m, scaled)."""
        q = self.queries.get("request_rate")
        return q.window_s if q is not None else 300.0

    async def snapshot(self) -> dict[str, Any]:
        at = self.clock()
        metrics, alerts, health, worker = await asyncio.gather(
            self._metrics(at), self._alerts(), self._health(), self._worker()
        )
        return {
            "at": at,
            "refresh_s": self.refresh,
            "window_s": self.window_s,
            "prometheus": self._prometheus_status(),
            "metrics": metrics,
            "worker": {**worker, **_worker_figures(metrics)},
            "active_users": {"value": self.users.count(self.window_s), "window_s": self.window_s},
            "alerts": alerts,
            "health": health,
        }

    def _prometheus_status(self) -> str:
        if self.prometheus is None:
            return NOT_CONFIGURED
        return self.query_error or "ok"

    async def _metrics(self, at: float) -> dict[str, dict[str, Any]]:
        if self.prometheus is None or not self.queries:
            return {}
        keys = list(self.queries)
        found = await asyncio.gather(
            *(self._figure(self.queries[k], at) for k in keys), return_exceptions=False
        )
        return dict(zip(keys, found, strict=True))

    async def _figure(self, q: PanelQuery, at: float) -> dict[str, Any]:
        out = _describe(q)
        assert self.prometheus is not None
        try:
            samples = await sources.instant(self.http, self.prometheus, q.scaled, at)
        except sources.UpstreamError as exc:
            return {**out, "value": None, "series": [], "error": str(exc)}
        f = q.ref.factor
        values = [f * s.value for s in samples if s.value is not None]
        shown = [
            {"labels": s.labels, "value": None if s.value is None else f * s.value}
            for s in samples
        ]
        if q.ref.key in SINGLE:
            value = values[0] if values else None
        else:
            value = sum(values) if shown else None
        return {**out, "value": value, "series": shown, "error": None}

    async def _alerts(self) -> dict[str, Any]:
        if self.alertmanager is None:
            return {"items": [], "error": AM_NOT_CONFIGURED}
        try:
            return {"items": await sources.alerts(self.http, self.alertmanager), "error": None}
        except sources.UpstreamError as exc:
            return {"items": [], "error": str(exc)}

    async def _health(self) -> dict[str, Any]:
        code, body = await self.health()
        return {"http_status": code, **body}

    async def _worker(self) -> dict[str, Any]:
        if self.worker is None:
            return {"health": "unknown", "error": "worker URL not configured"}
        try:
            body = await sources.worker_health(self.http, self.worker)
        except sources.UpstreamError as exc:
            return {"health": "unreachable", "error": str(exc)}
        return {"health": body.get("status", "unknown"), "checks": body.get("checks", {})}

    async def trends(self) -> dict[str, Any]:
        end = self.clock()
        start = end - TREND_SPAN
        step = max(1.0, round(TREND_SPAN / TREND_POINTS, 3))
        if self.prometheus is None or not self.queries:
            return {"start": start, "end": end, "step": step, "charts": [],
                    "prometheus": self._prometheus_status()}
        keys = [k for k in TRENDS if k in self.queries]
        charts = await asyncio.gather(
            *(self._chart(self.queries[k], start, end, step) for k in keys)
        )
        return {"start": start, "end": end, "step": step, "charts": charts, "prometheus": "ok"}

    async def _chart(self, q: PanelQuery, start: float, end: float, step: float) -> dict[str, Any]:
        out = _describe(q)
        n = int((end - start) // step) + 1
        times = [start + i * step for i in range(n)]
        assert self.prometheus is not None
        try:
            found = await sources.series(self.http, self.prometheus, q.scaled, start, end, step)
        except sources.UpstreamError as exc:
            return {**out, "times": times, "series": [], "error": str(exc)}
        lines = []
        for labels, points in found:
            values: list[float | None] = [None] * n
            for t, v in points:
                i = round((t - start) / step)
                if 0 <= i < n and v is not None:
                    values[i] = q.ref.factor * v
            lines.append({"label": _label(labels, q.ref.label), "values": values})
        return {**out, "times": times, "series": lines, "error": None}


def _describe(q: PanelQuery) -> dict[str, Any]:
    ref = q.ref
    return {"key": ref.key, "label": ref.label, "title": ref.panel, "dashboard": ref.dashboard,
            "ref_id": ref.ref_id, "unit": ref.unit, "expr": q.scaled, "dashboard_expr": q.expr}


def _label(labels: dict[str, str], fallback: str) -> str:
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    return ", ".join(f"{k}={v}" for k, v in sorted(shown.items())) or fallback


def _worker_figures(metrics: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Jobs completed per second and jobs in progress, from the queue panels."""
    return {
        "jobs_per_s": metrics.get("jobs_rate", {}).get("value"),
        "active_jobs": metrics.get("queue_active", {}).get("value"),
    }
