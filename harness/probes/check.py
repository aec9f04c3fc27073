"""The probe check: a manifest's probes against the running stack's target during a
fault, and what Kubernetes would do (the timeline and the findings)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputError
from harness.probes.drive import Action, ScaledClock, drive, http_sampler, with_path
from harness.probes.kubelet import Event
from harness.probes.model import ContainerProbes, load_probes
from harness.stack.base import Stack


@dataclass(frozen=True)
class Fault:
    """A fault in model seconds: ``service`` stopped at ``on`` and started at ``off``
    through the stack's hooks; the run ends at ``end``. ``spec_path``: the probes on
    /health use the target's /health/spec (the spec's literal EventBus check) instead."""

    name: str
    service: str | None
    on: float
    off: float
    end: float
    spec_path: bool = False


FAULTS = {
    "none": Fault("none", None, 0, 0, 90),
    "redis-down": Fault("redis-down", "redis", 60, 120, 180),
    "database-down": Fault("database-down", "database", 60, 120, 180),
    "eventbus-spec": Fault("eventbus-spec", None, 0, 120, 120, spec_path=True),
}


@dataclass(frozen=True)
class ProbeReport:
    manifest: Path
    probes: ContainerProbes
    fault: Fault
    time_scale: float
    events: tuple[Event, ...]
    restarts: int
    ready_at_end: bool

    def restarts_in_outage(self) -> list[Event]:
        f = self.fault
        return [e for e in self.events if e.what == "restart" and f.on <= e.t <= f.off]

    def findings(self) -> list[str]:
        out = []
        hits = self.restarts_in_outage()
        if hits and self.fault.name != "none":
            times = ", ".join(f"t={e.t:g}s" for e in hits)
            out.append(f"liveness restarts the pod during {self.fault.name}: "
                       f"{len(hits)} restart(s) at {times}; a restart cannot bring a "
                       "dependency back, and every replica is restarted alike")
        if not any(e.what == "ready" for e in self.events):
            out.append("the pod never becomes ready: it never joins the Service")
        elif self.fault.service and not self.ready_at_end:
            out.append(f"the pod is not back in the Service by t={self.fault.end:g}s")
        return out

    def render(self) -> str:
        p = self.probes
        lines = [f"manifest {self.manifest} (Deployment {p.deployment}, container "
                 f"{p.container}), fault {self.fault.name}, time scale {self.time_scale:g} "
                 "(times in the manifest's seconds)"]
        for probe in (p.liveness, p.readiness):
            if probe is not None:
                lines.append(
                    f"  {probe.kind}: {probe.path} delay {probe.initial_delay:g}s period "
                    f"{probe.period:g}s timeout {probe.timeout:g}s failure "
                    f"{probe.failure_threshold} success {probe.success_threshold}")
        lines.append("timeline:")
        for e in sorted(self.events, key=lambda e: e.t):
            lines.append(f"  t={e.t:7.1f}s  {_LABEL[e.what]:<34} {e.detail}".rstrip())
        lines.append(f"restarts: {self.restarts}; in the Service at the end: "
                     f"{'yes' if self.ready_at_end else 'no'}")
        lines += [f"FINDING: {f}" for f in self.findings()] or ["no finding"]
        return "\n".join(lines)


_LABEL = {
    "ready": "ready: joins the Service",
    "not-ready": "not ready: leaves the Service",
    "restart": "liveness failed: container killed",
    "started": "container started again",
    "fault-on": "fault on",
    "fault-off": "fault off",
}


def run_check(stack: Stack, manifest: Path, fault: str, time_scale: float) -> ProbeReport:
    """Drive ``manifest``'s probes against ``stack``'s (running) target during ``fault``."""
    if fault not in FAULTS:
        raise InputError(f"Unknown fault {fault!r}; available: {', '.join(FAULTS)}")
    if time_scale <= 0:
        raise InputError(f"--time-scale must be positive, not {time_scale:g}")
    f = FAULTS[fault]
    probes = load_probes(manifest)
    driven = with_path(probes, "/health", "/health/spec") if f.spec_path else probes
    down: list[str] = []  # the service the fault stopped, until it is started again
    try:
        pod = drive(driven, http_sampler(stack.endpoints.api, time_scale),
                    ScaledClock(time_scale), _actions(stack, f, down), f.end)
    finally:
        for svc in down:
            stack.start_service(svc)
    return ProbeReport(manifest, probes, f, time_scale, tuple(pod.events), pod.restarts,
                       pod.ready)


def _actions(stack: Stack, f: Fault, down: list[str]) -> list[Action]:
    if f.spec_path:
        return [Action(0.0, "fault-on", "probes on /health answer with the spec's "
                       "xinfo('STREAM', 'events:*') check (/health/spec)", lambda: None)]
    if f.service is None:
        return []
    svc = f.service

    def stop() -> None:
        stack.stop_service(svc)
        down.append(svc)

    def start() -> None:
        down.remove(svc)
        stack.start_service(svc)

    return [Action(f.on, "fault-on", f"{svc} stopped", stop),
            Action(f.off, "fault-off", f"{svc} started", start)]
