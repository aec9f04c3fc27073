"""The target's own counters, read straight from its /metrics pages on a timer.

Ground truth for panels whose true value only the target knows (database queries,
jobs, events): what the processes counted, read without Prometheus, its scrapes,
rate() or the panel's aggregation in between. Readings are kept per process and
summed over processes when asked (a dashboard sums the api and worker jobs too).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

Labels = frozenset[tuple[str, str]]
SeriesId = tuple[str, str, Labels]  # (process, sample name, labels)


def read_metrics(
    url: str, names: Collection[str], timeout: float = 5.0
) -> dict[tuple[str, Labels], float]:
    """Samples named in ``names`` from one /metrics page: (name, labels) -> value."""
    text = httpx.get(url, timeout=timeout, trust_env=False).text
    out: dict[tuple[str, Labels], float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name in names:
                out[(s.name, frozenset(s.labels.items()))] = float(s.value)
    return out


@dataclass(frozen=True)
class Reading:
    t: float  # time.time() when the page arrived
    values: Mapping[SeriesId, float]


class MetricsSampler:
    """``start()``, ``stop()``; then ``delta``/``value`` over what was read."""

    def __init__(
        self, urls: Mapping[str, str], names: Collection[str], interval: float = 1.0
    ) -> None:
        self.urls = dict(urls)  # process -> /metrics URL
        self.names = frozenset(names)
        self.interval = interval
        self.readings: list[Reading] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> MetricsSampler:
        self.sample()
        self._thread = threading.Thread(target=self._run, name="metrics-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        values: dict[SeriesId, float] = {}
        for process, url in self.urls.items():
            try:
                page = read_metrics(url, self.names)
            except (httpx.HTTPError, ValueError) as exc:
                self.errors.append(f"{process}: {exc or type(exc).__name__}")
                return  # a partial reading would look like counters going down
            values.update({(process, n, lab): v for (n, lab), v in page.items()})
        self.readings.append(Reading(time.time(), values))

    # -- reading back -------------------------------------------------------------------
    def value(
        self, name: str, t: float, match: Mapping[str, str] | None = None
    ) -> dict[Labels, float]:
        """Each series' value at ``t`` (linear between readings), summed over processes."""
        out: dict[Labels, float] = {}
        for (_, n, labels), v in self._at(t).items():
            if n == name and _matches(labels, match):
                out[labels] = out.get(labels, 0.0) + v
        return out

    def delta(
        self, name: str, start: float, end: float, match: Mapping[str, str] | None = None
    ) -> dict[Labels, float]:
        """How much each series grew in [start, end] (a series born inside counts from 0)."""
        before = self.value(name, start, match)
        after = self.value(name, end, match)
        return {k: v - before.get(k, 0.0) for k, v in after.items()}

    def births(
        self, name: str, start: float, end: float, match: Mapping[str, str] | None = None
    ) -> float:
        """Sum of the first values of series that appeared in (start, end]: what
        ``increase()`` cannot see, as the increment that creates a series comes before
        its first sample."""
        first: dict[SeriesId, float] = {}
        for r in self.readings:
            if r.t > end:
                break
            for sid, v in r.values.items():
                if sid[1] == name and _matches(sid[2], match) and sid not in first:
                    first[sid] = v if r.t > start else 0.0
        return sum(first.values())

    def _at(self, t: float) -> dict[SeriesId, float]:
        if not self.readings:
            return {}
        times = [r.t for r in self.readings]
        i = bisect.bisect_right(times, t)
        if i == 0:  # before the first reading: counters never go down, take the first
            return dict(self.readings[0].values)
        if i == len(times):
            return dict(self.readings[-1].values)
        a, b = self.readings[i - 1], self.readings[i]
        w = (t - a.t) / (b.t - a.t) if b.t > a.t else 1.0
        keys = set(a.values) | set(b.values)
        return {
            k: a.values.get(k, 0.0) + w * (b.values.get(k, 0.0) - a.values.get(k, 0.0))
            for k in keys
        }


def _matches(labels: Labels, match: Mapping[str, str] | None) -> bool:
    if not match:
        return True
    have = dict(labels)
    return all(have.get(k) == v for k, v in match.items())
