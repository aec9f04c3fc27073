"""Helpers for the fault tests: deadlines instead of sleeps, /metrics and Prometheus reads,
parallel traffic. A module of its own (not conftest) so tests import it by a unique name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from prometheus_client.parser import text_string_to_metric_families

from harness.errors import StackError
from harness.observe.prometheus import PrometheusClient
from tests.support.poll import holds_for as poll_holds_for
from tests.support.poll import wait_until as poll_until

T = TypeVar("T")
R = TypeVar("R")
TRANSIENT = (httpx.HTTPError, OSError, StackError)


def wait_until(
    condition: Callable[[], T | None],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
    what: str | Callable[[], str],
) -> T:
    """Poll ``condition`` until it returns a truthy value; fail naming ``what`` at the deadline
    (a callable ``what`` is asked then, so it can describe the last state)."""
    value = poll_until(
        condition, what=what, timeout=timeout, interval=interval, transient=TRANSIENT
    )
    assert value is not None
    return value


def holds_for(
    condition: Callable[[], bool], *, seconds: float, interval: float = 0.1, what: str
) -> int:
    """Assert ``condition`` at every poll for an observation window (a claim that something
    does *not* happen needs one); returns how many times it was checked."""
    return poll_holds_for(condition, seconds=seconds, what=what, interval=interval)


@dataclass(frozen=True)
class Scrape:
    """One /metrics page of a target process."""

    samples: tuple[tuple[str, dict[str, str], float], ...]

    @classmethod
    def of(cls, base_url: str) -> Scrape:
        text = httpx.get(f"{base_url.rstrip('/')}/metrics", timeout=3, trust_env=False).text
        return cls(
            tuple(
                (s.name, dict(s.labels), float(s.value))
                for family in text_string_to_metric_families(text)
                for s in family.samples
            )
        )

    def value(self, name: str, **labels: str) -> float:
        """Sum of the samples named ``name`` whose labels include ``labels`` (0 if none)."""
        return sum(
            v
            for n, have, v in self.samples
            if n == name and all(have.get(k) == want for k, want in labels.items())
        )


def metric(base_url: str, name: str, **labels: str) -> float:
    return Scrape.of(base_url).value(name, **labels)


def prom_value(prom: PrometheusClient, expr: str) -> float | None:
    """The single value of an instant query, or None when the result is empty."""
    result = prom.query(expr)
    if not result:
        return None
    assert len(result) == 1, f"{expr} returned {len(result)} series: {result}"
    return result[0].value


def parallel(fn: Callable[[T], R], items: Iterable[T], workers: int = 8) -> list[R]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def statuses(responses: Iterable[httpx.Response]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for r in responses:
        counts[r.status_code] = counts.get(r.status_code, 0) + 1
    return counts


def first_ids(api: httpx.Client) -> dict[str, Any]:
    """A student and one of its classes in tenant-1 (the seeded data)."""
    school = api.get("/api/schools").json()[0]["id"]
    cls = api.get("/api/classes", params={"school_id": school}).json()[0]["id"]
    student = api.get("/api/students", params={"class_id": cls, "limit": 1}).json()[0]["id"]
    return {"student": student, "class": cls}
