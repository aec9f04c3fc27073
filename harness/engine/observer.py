"""Watch a running stack: Prometheus's alerts (pending included) and Alertmanager's view.

A background thread polls ``/api/v1/alerts`` (and, less often, Alertmanager's
``/api/v2/alerts/groups``) and keeps every snapshot with the wall-clock time it was
taken. The live view drives `duration: auto` phases and progress output; the precise
timeline used for verdicts comes afterwards from Prometheus's own ``ALERTS`` series
(stamped with evaluation times), see ``harness.engine.history``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from harness.errors import StackError
from harness.observe.alertmanager import AlertmanagerClient
from harness.observe.prometheus import PrometheusClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertSnapshot:
    at: float  # wall-clock seconds when the answer arrived
    alerts: tuple[dict[str, Any], ...]


@dataclass
class Observations:
    prometheus: list[AlertSnapshot] = field(default_factory=list)
    alertmanager: list[AlertSnapshot] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def first_seen(
        self, alert: str, state: str, labels: dict[str, str], since: float
    ) -> float | None:
        """First poll at or after ``since`` showing ``alert`` in ``state`` with ``labels``."""
        for snap in self.prometheus:
            if snap.at < since:
                continue
            if any(_matches(a, alert, state, labels) for a in snap.alerts):
                return snap.at
        return None

    def states(self, alert: str, labels: dict[str, str]) -> str:
        """The alert's state in the latest snapshot: inactive, pending or firing."""
        if not self.prometheus:
            return "inactive"
        found = [a["state"] for a in self.prometheus[-1].alerts if _matches(a, alert, None, labels)]
        if "firing" in found:
            return "firing"
        return "pending" if found else "inactive"


def _matches(a: dict[str, Any], alert: str, state: str | None, labels: dict[str, str]) -> bool:
    al = a.get("labels", {})
    if al.get("alertname") != alert or (state is not None and a.get("state") != state):
        return False
    return all(al.get(k) == v for k, v in labels.items())


class Observer:
    """Polls in a daemon thread from ``start()`` until ``stop()``; thread-safe reads."""

    def __init__(
        self,
        prometheus: PrometheusClient,
        alertmanager: AlertmanagerClient,
        *,
        poll_interval: float,
        alertmanager_every: int = 5,
    ) -> None:
        # Attribute assignments, like eventbus.Consumer's __init__: constructor boilerplate.
        self._prom = prometheus
        self._am = alertmanager
        self._poll = poll_interval
        self._am_every = alertmanager_every
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._data = Observations()
        self._thread = threading.Thread(target=self._loop, name="observer", daemon=True)

    def start(self) -> Observer:
        self._thread.start()
        return self

    def stop(self) -> Observations:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        return self.snapshot()

    def snapshot(self) -> Observations:
        with self._lock:
            return Observations(
                list(self._data.prometheus), list(self._data.alertmanager), list(self._data.errors)
            )

    def _loop(self) -> None:
        n = 0
        while not self._stop.is_set():
            started = time.monotonic()
            self._poll_once(n)
            n += 1
            self._stop.wait(max(0.0, self._poll - (time.monotonic() - started)))

    def _poll_once(self, n: int) -> None:
        try:
            alerts = self._prom.alerts()
            with self._lock:
                self._data.prometheus.append(AlertSnapshot(time.time(), tuple(alerts)))
            if n % self._am_every == 0:
                groups = self._am.groups()
                with self._lock:
                    self._data.alertmanager.append(AlertSnapshot(time.time(), tuple(groups)))
        except StackError as exc:  # a restart or fault can make a poll fail; keep going
            with self._lock:
                self._data.errors.append(f"{time.time():.3f} {exc}")
            log.debug("poll failed: %s", exc)
