"""What the page reads over HTTP: Prometheus's query API, Alertmanager's API v2, the
worker's /health. Every call has a short timeout; a failure is an ``UpstreamError``
whose message the page shows in place of the figure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import httpx

TIMEOUT = 3.0
Labels = dict[str, str]


class UpstreamError(Exception):
    """Prometheus, Alertmanager or the worker did not answer as expected."""


@dataclass(frozen=True)
class Sample:
    labels: Labels
    value: float | None  # None: NaN or infinite (e.g. a ratio of zero requests)


def _number(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


async def _get_json(http: httpx.AsyncClient, url: str, params: Any = None) -> Any:
    try:
        response = await http.get(url, params=params, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise UpstreamError(f"{url}: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise UpstreamError(f"{url}: HTTP {response.status_code}: {response.text[:200]}")
    try:
        return response.json()
    except ValueError as exc:
        raise UpstreamError(f"{url}: not JSON") from exc


async def _prom_data(http: httpx.AsyncClient, url: str, params: dict[str, Any]) -> Any:
    body = await _get_json(http, url, params)
    if body.get("status") != "success":
        raise UpstreamError(f"Prometheus: {body.get('error', body)}")
    return body["data"]["result"]


async def instant(http: httpx.AsyncClient, base: str, expr: str, at: float) -> list[Sample]:
    """``expr`` evaluated at ``at`` (epoch seconds)."""
    url = f"{base.rstrip('/')}/api/v1/query"
    result = await _prom_data(http, url, {"query": expr, "time": f"{at:.3f}"})
    return [Sample(dict(r["metric"]), _number(r["value"][1])) for r in result]


async def series(
    http: httpx.AsyncClient, base: str, expr: str, start: float, end: float, step: float
) -> list[tuple[Labels, list[tuple[float, float | None]]]]:
    """``expr`` over [start, end] every ``step`` seconds: (labels, [(t, value)]) per series."""
    url = f"{base.rstrip('/')}/api/v1/query_range"
    params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
    result = await _prom_data(http, url, params)
    return [
        (dict(r["metric"]), [(float(t), _number(v)) for t, v in r["values"]]) for r in result
    ]


async def alerts(http: httpx.AsyncClient, base: str) -> list[dict[str, Any]]:
    """Alertmanager's active alerts (API v2), newest first: name, severity, since, summary."""
    url = f"{base.rstrip('/')}/api/v2/alerts"
    body = await _get_json(
        http, url, {"active": "true", "silenced": "false", "inhibited": "false"}
    )
    if not isinstance(body, list):
        raise UpstreamError(f"{url}: expected a list of alerts")
    out = []
    for alert in body:
        labels = alert.get("labels", {})
        annotations = alert.get("annotations", {})
        out.append(
            {
                "name": labels.get("alertname", "?"),
                "severity": labels.get("severity", "none"),
                "since": alert.get("startsAt", ""),
                "state": alert.get("status", {}).get("state", ""),
                "summary": annotations.get("summary", ""),
                "labels": labels,
            }
        )
    out.sort(key=lambda a: (a["since"], a["name"]), reverse=True)
    return out


async def worker_health(http: httpx.AsyncClient, base: str) -> dict[str, Any]:
    """The worker's own /health body (503 included: it is still the worker's answer)."""
    url = f"{base.rstrip('/')}/health"
    try:
        response = await http.get(url, timeout=TIMEOUT)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UpstreamError(f"{url}: {type(exc).__name__}: {exc}") from exc
    return body if isinstance(body, dict) else {"status": "unknown"}
