"""The load tests' target (redis-server, API, worker), as the fixtures hand it out.

A module of its own (not conftest) so test modules can import it by a unique name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Target:
    api: str
    worker: str
    token: str
    run_dir: Path

    def requests_by_route(self) -> dict[tuple[str, str], float]:
        """http_requests_total summed over status and tenant, by (method, route)."""
        text = httpx.get(f"{self.api}/metrics", timeout=5).text
        counts: dict[tuple[str, str], float] = {}
        for family in text_string_to_metric_families(text):
            if family.name != "http_requests":
                continue
            for sample in family.samples:
                if sample.name == "http_requests_total":
                    key = (sample.labels["method"], sample.labels["route"])
                    counts[key] = counts.get(key, 0.0) + sample.value
        return counts

    def faults(self) -> dict[str, Any]:
        headers = {"X-Fault-Token": self.token}
        return dict(httpx.get(f"{self.api}/faults", headers=headers, timeout=5).json())
