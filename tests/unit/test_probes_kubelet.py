"""kubelet's probe rules (harness/probes/kubelet.py) on synthetic probe results, driven
through drive() with a fake clock: the results are a function of model time."""

from __future__ import annotations

from collections.abc import Callable

from harness.probes.drive import Action, drive, with_path
from harness.probes.kubelet import Pod
from harness.probes.model import ContainerProbes, Probe

SPEC = ContainerProbes(
    "api", "api",
    Probe("liveness", "/health", 3000, 30, 10, 5, 3, 1),
    Probe("readiness", "/health", 3000, 10, 5, 3, 2, 1),
)


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def wait_until(self, t: float) -> None:
        assert t >= self.t - 1e-9, "time went backwards"
        self.t = t


def run(probes: ContainerProbes, ok: Callable[[str, float], bool], end: float,
        actions: list[Action] | None = None) -> tuple[Pod, list[tuple[str, float]]]:
    clock, seen = FakeClock(), []

    def sample(p: Probe) -> tuple[bool, str]:
        seen.append((p.kind, clock.t))
        return ok(p.kind, clock.t), "synthetic"

    return drive(probes, sample, clock, actions or [], end), seen


def times(pod: Pod, what: str) -> list[float]:
    return [e.t for e in pod.events if e.what == what]


def test_probes_start_after_their_initial_delay_and_repeat_every_period() -> None:
    _pod, seen = run(SPEC, lambda k, t: True, 50)
    assert [t for k, t in seen if k == "readiness"] == [10, 15, 20, 25, 30, 35, 40, 45, 50]
    assert [t for k, t in seen if k == "liveness"] == [30, 40, 50]


def test_readiness_is_failure_until_the_first_success() -> None:
    pod, _ = run(SPEC, lambda k, t: t >= 20, 40)
    assert times(pod, "ready") == [20]


def test_readiness_needs_failure_threshold_failures_in_a_row_to_leave_the_service() -> None:
    # one failure at 25 (below the threshold of 2), then two in a row at 40 and 45
    pod, _ = run(SPEC, lambda k, t: k == "liveness" or t not in (25, 40, 45), 60)
    assert times(pod, "ready") == [10, 50]
    assert times(pod, "not-ready") == [45]
    assert pod.restarts == 0


def test_success_threshold_counts_successes_in_a_row() -> None:
    probes = ContainerProbes("a", "a", None, Probe("readiness", "/r", 1, 0, 5, 1, 1, 3))
    pod, _ = run(probes, lambda k, t: t != 10, 40)
    assert times(pod, "ready") == [25]  # 0, 5 ok; 10 fails; 15, 20, 25 ok


def test_liveness_failures_restart_the_container_after_the_back_off() -> None:
    # liveness fails from t=40 on: failures at 40, 50, 60 -> restart at 60, started at 70
    # (back-off 10 s), next liveness at 100 (initial delay 30): 100, 110, 120 -> restart,
    # started again 20 s later (the back-off doubles)
    pod, _ = run(SPEC, lambda k, t: k == "readiness" or t < 40, 150)
    assert times(pod, "restart") == [60, 120]
    assert times(pod, "started") == [70, 140]
    assert pod.restarts == 2
    assert 60 in times(pod, "not-ready")  # killed: it leaves the Service


def test_a_pod_without_a_readiness_probe_is_ready_from_the_start() -> None:
    pod, _ = run(ContainerProbes("a", "a", SPEC.liveness, None), lambda k, t: True, 40)
    assert times(pod, "ready") == [0]


def test_actions_run_at_their_time_between_probes() -> None:
    down = {"on": False}
    acts = [Action(22, "fault-on", "x", lambda: down.update(on=True)),
            Action(41, "fault-off", "x", lambda: down.update(on=False))]
    pod, _ = run(SPEC, lambda k, t: not down["on"], 60, acts)
    assert times(pod, "fault-on") == [22] and times(pod, "fault-off") == [41]
    assert times(pod, "not-ready") == [30]  # failures at 25 and 30
    assert times(pod, "ready") == [10, 45]
    assert pod.restarts == 0  # liveness failed at 30 and 40 only: below 3


def test_with_path_repoints_only_the_matching_probes() -> None:
    probes = ContainerProbes("a", "a", SPEC.liveness, Probe("readiness", "/r", 1))
    swapped = with_path(probes, "/health", "/health/spec")
    assert swapped.liveness is not None and swapped.liveness.path == "/health/spec"
    assert swapped.readiness == probes.readiness
