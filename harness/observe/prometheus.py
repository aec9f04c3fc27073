"""Prometheus HTTP API: alerts (pending included), rules, instant and range queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.errors import StackError
from harness.observe.http import JsonApi


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


class PrometheusClient(JsonApi):
    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        super().__init__(base_url, name="Prometheus", timeout=timeout)

    def _data(self, path: str, params: dict[str, Any] | None = None) -> Any:
        body = self.get(path, params)
        if body.get("status") != "success":
            raise StackError(f"Prometheus {path} failed: {body.get('error', body)}")
        return body["data"]

    def alerts(self) -> list[dict[str, Any]]:
        """Active alerts, pending and firing: labels, state, activeAt, value."""
        return list(self._data("/api/v1/alerts")["alerts"])

    def rule_groups(self) -> list[dict[str, Any]]:
        return list(self._data("/api/v1/rules")["groups"])

    def query(self, expr: str, time: float | None = None) -> list[Sample]:
        params: dict[str, Any] = {"query": expr}
        if time is not None:
            params["time"] = f"{time:.3f}"
        data = self._data("/api/v1/query", params)
        if data["resultType"] == "scalar":
            return [Sample({}, float(data["result"][1]))]
        return [Sample(r["metric"], float(r["value"][1])) for r in data["result"]]

    def query_range(
        self, expr: str, start: float, end: float, step: float
    ) -> list[tuple[dict[str, str], list[tuple[float, float]]]]:
        data = self._data(
            "/api/v1/query_range",
            {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:.3f}"},
        )
        return [
            (r["metric"], [(float(t), float(v)) for t, v in r["values"]]) for r in data["result"]
        ]

    def targets_up(self) -> dict[str, float]:
        """`up` per scrape job."""
        return {s.labels.get("job", "?"): s.value for s in self.query("up")}
