"""The load tests' target (redis-server, API, worker), as the fixtures hand it out, and polling.

A module of its own (not conftest) so test modules can import it by a unique name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.stack.process import ManagedProcess


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


def wait_http(url: str, proc: ManagedProcess, timeout: float = 20.0) -> None:
    """Poll ``url`` until 200; fail with the process log if it exits or time runs out."""
    end = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < end:
        if not proc.is_running():
            pytest.fail(f"{proc.name} exited ({proc.poll()}) before ready\n{proc.describe_log()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.1)
    pytest.fail(f"{url} not ready within {timeout:g} s ({last})\n{proc.describe_log()}")


def poll(what: str, fn: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Call ``fn`` until it returns something truthy; fail naming ``what`` at the deadline."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout:g} s")
