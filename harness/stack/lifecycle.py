"""What every backend's stack shares: start once, stop once, on every way out.

A backend subclasses ``StackLifecycle`` and writes ``_start()`` (bring everything up,
return the endpoints) and ``_stop()`` (stop what it started; called once, even after a
failed start). ``up()`` stops what a failed or interrupted start left; ``down()`` is
idempotent, runs at interpreter exit too, and stops the capture receiver it owns.
"""

from __future__ import annotations

import atexit
import threading
import time
from types import TracebackType
from typing import Any, Self

import httpx

from harness.errors import StackError
from harness.receivers.capture import CaptureReceiver
from harness.stack.ports import LOOPBACK
from harness.stack.spec import Endpoints, StackSpec
from harness.stack.wait import CallableWait, NotReady

SCRAPE_JOBS = ("api", "worker")  # Prometheus's scrape jobs for the target


class StackLifecycle:
    def __init__(self, spec: StackSpec, *, receiver: CaptureReceiver | None = None) -> None:
        self.spec = spec
        # A receiver passed in belongs to the caller: started here if needed, never stopped.
        self._owns_receiver = receiver is None
        self.receiver = receiver if receiver is not None else CaptureReceiver(host=LOOPBACK)
        self.startup_seconds: float | None = None
        self._lock = threading.Lock()
        self._cancel = threading.Event()  # set by down(): nothing new starts after it
        self._closed = False
        self._started = False
        self._endpoints: Endpoints | None = None

    def __enter__(self) -> Self:
        self.up()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()

    def up(self) -> Endpoints:
        """Start everything and wait until it is ready; StackError (all stopped) if not."""
        if self._endpoints is not None:
            return self._endpoints
        if self._started:
            raise StackError("This stack was already used; open a new one.")
        self._started = True
        atexit.register(self.down)
        start = time.monotonic()
        try:
            self._endpoints = self._start()
        except BaseException:
            self.down()
            raise
        self.startup_seconds = time.monotonic() - start
        return self._endpoints

    @property
    def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise StackError("The stack is not up.")
        return self._endpoints

    def down(self) -> None:
        """Stop everything this stack started and clean up. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._cancel.set()
        atexit.unregister(self.down)
        self._endpoints = None
        try:
            self._stop()
        finally:
            if self._owns_receiver:
                self.receiver.stop()

    def wait_scraped(self, timeout: float = 20.0) -> float:
        """Wait until Prometheus scrapes the API and the worker (``up == 1`` for both) and
        knows the Alertmanager. Returns the seconds waited.

        Prometheus 2.42 applies discovered targets, Alertmanagers included, on a fixed 5 s
        tick after start: the first samples land 5-6 s after it starts however fast the
        rest is, and alerts sent before the Alertmanager is known are dropped.
        """
        base = self.endpoints.prometheus
        alertmanager = self._alertmanager_as_prometheus_sees_it()

        def check() -> None:
            def get(path: str, **params: str) -> Any:
                return httpx.get(base + path, params=params, timeout=2.0, trust_env=False).json()

            result = get("/api/v1/query", query="up")["data"]["result"]
            up = {r["metric"].get("job"): r["value"][1] for r in result}
            missing = [job for job in SCRAPE_JOBS if up.get(job) != "1"]
            if missing:
                raise NotReady(f"up != 1 for job(s) {', '.join(missing)} (have {up or 'none'})")
            active = get("/api/v1/alertmanagers")["data"]["activeAlertmanagers"]
            if not any(am["url"].startswith(alertmanager) for am in active):
                raise NotReady("Prometheus does not know the Alertmanager yet")

        strategy = CallableWait(
            check, f"{base}/api/v1/query?query=up", timeout=timeout, poll_interval=0.1
        )
        return strategy.wait("Prometheus scraping api and worker", cancel=self._cancel)

    def _alertmanager_as_prometheus_sees_it(self) -> str:
        """The Alertmanager URL in Prometheus's configuration (the host's, by default)."""
        return self.endpoints.alertmanager

    def _start(self) -> Endpoints:
        raise NotImplementedError

    def _stop(self) -> None:
        raise NotImplementedError
