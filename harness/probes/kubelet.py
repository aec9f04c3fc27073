"""kubelet's probe rules as a pure state machine over probe results (model seconds).

As documented by Kubernetes (https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/,
https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes):
- a probe first runs initialDelaySeconds after the container starts, then every periodSeconds;
  no answer within timeoutSeconds is a failure (the driver reports it as one);
- readiness is Failure until its probe has succeeded successThreshold times in a row, and
  failureThreshold failures in a row make the Pod not ready: it leaves the Service's endpoints;
- liveness is Success until failureThreshold failures in a row: kubelet kills the container
  and restarts it (restartPolicy Always) after the restart back-off (10 s, 20 s, 40 s, ...,
  capped at 300 s); the restarted container starts its probes over, initial delay included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.probes.model import ContainerProbes, Probe

BACKOFF_START = 10.0
BACKOFF_CAP = 300.0


@dataclass(frozen=True)
class Event:
    t: float  # model seconds since the container first started
    what: str  # ready | not-ready | restart | started | fault-on | fault-off
    detail: str = ""


@dataclass
class _Counter:
    probe: Probe
    due: float
    ok_run: int = 0
    fail_run: int = 0


@dataclass
class Pod:
    """One pod with one probed container (a pod whose container has no readiness probe
    is ready from the start, as Kubernetes defaults a missing probe to Success)."""

    probes: ContainerProbes
    ready: bool = False
    restarts: int = 0
    events: list[Event] = field(default_factory=list)
    counters: dict[str, _Counter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._start(0.0)

    def _start(self, t: float) -> None:
        self.counters = {
            p.kind: _Counter(p, t + p.initial_delay)
            for p in (self.probes.liveness, self.probes.readiness) if p is not None
        }
        if self.probes.readiness is None:
            self._set_ready(t, True, "no readiness probe")

    def next_due(self) -> tuple[float, Probe]:
        c = min(self.counters.values(), key=lambda c: c.due)
        return c.due, c.probe

    def record(self, kind: str, t: float, ok: bool, detail: str = "") -> None:
        """One probe result at model time ``t`` (the probe that was due)."""
        c = self.counters[kind]
        c.due = t + c.probe.period
        c.ok_run, c.fail_run = (c.ok_run + 1, 0) if ok else (0, c.fail_run + 1)
        if kind == "readiness":
            if not self.ready and c.ok_run >= c.probe.success_threshold:
                self._set_ready(t, True, detail)
            elif self.ready and c.fail_run >= c.probe.failure_threshold:
                self._set_ready(t, False, f"{c.fail_run} readiness failures: {detail}")
        elif c.fail_run >= c.probe.failure_threshold:
            self._restart(t, f"{c.fail_run} liveness failures: {detail}")

    def _set_ready(self, t: float, ready: bool, detail: str) -> None:
        self.ready = ready
        self.events.append(Event(t, "ready" if ready else "not-ready", detail))

    def _restart(self, t: float, detail: str) -> None:
        self.restarts += 1
        if self.ready:
            self._set_ready(t, False, "container killed")
        backoff = min(BACKOFF_START * 2 ** (self.restarts - 1), BACKOFF_CAP)
        self.events.append(Event(t, "restart", f"#{self.restarts} ({detail})"))
        back = t + backoff
        self.events.append(Event(back, "started", f"after a {backoff:g} s back-off"))
        self._start(back)
