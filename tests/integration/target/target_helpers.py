"""Helpers for the target's integration tests: its settings for them, a /metrics reader,
and ``wait_until`` with these tests' defaults. The target itself starts through
``tests.support.target`` (redis-server, dbinit, the worker and the API as processes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.poll import wait_until as poll_until

TOKEN = "test-fault-token"
TIME_SCALE = 60  # EventBus re-delivery after 30 s / 60 = 0.5 s
COLLECT_INTERVAL = 0.25
SETTINGS = {
    "TARGET_TIME_SCALE": str(TIME_SCALE),
    "TARGET_QUEUE_COLLECT_INTERVAL": str(COLLECT_INTERVAL),
    "TARGET_FAULT_SEED": "7",
}


def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Poll ``condition`` until it returns a truthy value; fail with ``what`` at the deadline."""
    return poll_until(condition, what=what, timeout=timeout, interval=interval)


def sample(url: str, name: str, **labels: str) -> float:
    """Value of one series on a /metrics page (0.0 when absent)."""
    text = httpx.get(f"{url}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0
