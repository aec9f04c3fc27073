"""The probe check against a real stack's target: the spec's manifest restarts the API pod
on a Redis outage and, with the spec's EventBus check, never becomes ready (findings, their
timelines printed); the corrected manifest takes the pod out of the Service instead, restarts
nothing, and brings it back when Redis returns (the database likewise). Time scale 10: a
run takes 12-18 s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.probes.check import ProbeReport, run_check
from harness.stack import StackSpec, open_stack
from harness.stack.base import Stack

pytestmark = pytest.mark.integration

K = 10.0
DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "kubernetes"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    spec = StackSpec(time_scale=K, state_dir=tmp_path_factory.mktemp("probes"),
                     run_label="probes")
    with open_stack(spec) as s:
        yield s


def check(stack: Stack, flavour: str, fault: str) -> ProbeReport:
    report = run_check(stack, DEPLOY / flavour / "api.yaml", fault, K)
    print(report.render())  # the timeline, shown with -s and in a failure's report
    return report


def times(report: ProbeReport, what: str) -> list[float]:
    return [e.t for e in report.events if e.what == what]


def test_spec_probes_restart_the_api_pod_on_a_redis_outage(stack: Stack) -> None:
    report = check(stack, "spec", "redis-down")
    assert times(report, "ready"), "the pod should have joined the Service before the fault"
    hits = report.restarts_in_outage()
    assert hits, f"expected a liveness restart during the outage:\n{report.render()}"
    # three liveness failures 10 s apart after Redis stopped at 60 s
    assert 80 <= hits[0].t <= 100, report.render()
    assert any("liveness restarts the pod during redis-down" in f for f in report.findings())


def test_spec_eventbus_check_never_lets_the_pod_become_ready(stack: Stack) -> None:
    report = check(stack, "spec", "eventbus-spec")
    assert times(report, "ready") == [], report.render()
    assert "the pod never becomes ready: it never joins the Service" in report.findings()
    assert report.restarts >= 1  # liveness on the same endpoint fails as well


@pytest.mark.parametrize("fault", ["redis-down", "database-down"])
def test_corrected_probes_take_the_pod_out_and_bring_it_back(stack: Stack, fault: str) -> None:
    report = check(stack, "corrected", fault)
    f = report.fault
    left = [t for t in times(report, "not-ready") if f.on <= t <= f.off]
    assert left and left[0] <= f.on + 15, report.render()  # 2 failures, 5 s apart
    assert report.restarts == 0, report.render()
    assert [t for t in times(report, "ready") if t >= f.off], report.render()
    assert report.ready_at_end and report.findings() == [], report.render()
