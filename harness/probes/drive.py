"""Sample the real target's probe endpoints at the probes' periods, during a fault, and
feed the results to kubelet's rules (kubelet.py).

Time: the timeline is in model seconds (the manifest's seconds). At time scale k every
duration (initial delays, periods, timeouts, the fault's window, the restart back-off) runs
k times faster in wall-clock time, like every other interval of the harness; a probe's
timeout is floored at MIN_TIMEOUT wall-clock seconds so a loaded machine does not turn a
slow answer into a failure that a real kubelet would not see.
The target is one local process: a "restart" is modelled (probes stop for the back-off and
start over with the initial delay), the process is not killed, since restarting it would not
bring a stopped dependency back either. The manifest's container port maps to the target's
local URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import httpx

from harness.probes.kubelet import Event, Pod
from harness.probes.model import ContainerProbes, Probe

MIN_TIMEOUT = 0.5
Sample = Callable[[Probe], tuple[bool, str]]


class Clock(Protocol):
    def now(self) -> float: ...

    def wait_until(self, t: float) -> None: ...


class ScaledClock:
    """Model seconds since construction, running ``k`` times faster than the wall clock."""

    def __init__(self, k: float) -> None:
        self.k, self.t0 = k, time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self.t0) * self.k

    def wait_until(self, t: float) -> None:
        delay = self.t0 + t / self.k - time.monotonic()
        if delay > 0:
            time.sleep(delay)  # a schedule (the next probe is due then), not a condition


@dataclass(frozen=True)
class Action:
    t: float
    what: str  # fault-on | fault-off
    label: str
    run: Callable[[], None] = field(compare=False)


def http_sampler(base_url: str, k: float) -> Sample:
    """kubelet's HTTP probe: success is a status from 200 to 399 within the timeout."""

    def sample(probe: Probe) -> tuple[bool, str]:
        timeout = max(probe.timeout / k, MIN_TIMEOUT)
        try:
            r = httpx.get(base_url + probe.path, timeout=timeout, trust_env=False)
        except httpx.TimeoutException:
            return False, f"{probe.path}: timeout"
        except httpx.HTTPError as exc:
            return False, f"{probe.path}: {type(exc).__name__}"
        status = ""
        if r.headers.get("content-type", "").startswith("application/json"):
            status = str(r.json().get("status", ""))
        return 200 <= r.status_code < 400, f"{probe.path} {r.status_code} {status}".rstrip()

    return sample


def drive(
    probes: ContainerProbes, sample: Sample, clock: Clock, actions: list[Action], end: float
) -> Pod:
    """Run the pod's probes until model time ``end``, the actions at their times."""
    pod = Pod(probes)
    pending = sorted(actions, key=lambda a: a.t)
    while True:
        due, probe = pod.next_due()
        if pending and pending[0].t <= min(due, end):
            act = pending.pop(0)
            clock.wait_until(act.t)
            act.run()
            pod.events.append(Event(act.t, act.what, act.label))
            continue
        if due > end:
            return pod
        clock.wait_until(due)
        ok, detail = sample(probe)
        pod.record(probe.kind, due, ok, detail)


def with_path(probes: ContainerProbes, old: str, new: str) -> ContainerProbes:
    """The probes with path ``old`` pointed at ``new`` (the others unchanged)."""

    def swap(p: Probe | None) -> Probe | None:
        return replace(p, path=new) if p is not None and p.path == old else p

    return replace(probes, liveness=swap(probes.liveness), readiness=swap(probes.readiness))
