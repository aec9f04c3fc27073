"""Instant queries against a throwaway Prometheus: a rule's evaluation at one instant."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError

_TIMEOUT_S = 60


class QueryError(HarnessError):
    """An expression Prometheus refused or could not evaluate at an instant."""


@dataclass(frozen=True)
class Point:
    labels: dict[str, str]  # __name__ included when the result keeps it
    value: float


def instant_query(url: str, expr: str, ts_ms: int) -> list[Point]:
    """``expr`` at ``ts_ms``: a vector's samples, or a scalar as one sample without labels
    (as the rule engine and promtool treat a scalar)."""
    body = urllib.parse.urlencode({"query": expr, "time": f"{ts_ms / 1000:.3f}"}).encode()
    request = urllib.request.Request(f"{url}/api/v1/query", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
            payload = json.load(response)
    except urllib.error.HTTPError as exc:
        payload = json.loads(exc.read() or b"{}")
        raise QueryError(payload.get("error") or f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise QueryError(f"Prometheus did not answer: {exc}") from None
    data: dict[str, Any] = payload.get("data") or {}
    kind, result = data.get("resultType"), data.get("result") or []
    if kind == "vector":
        return [Point(dict(s["metric"]), float(s["value"][1])) for s in result]
    if kind == "scalar":
        return [Point({}, float(result[1]))]
    raise QueryError("rule result is not a vector or scalar")
