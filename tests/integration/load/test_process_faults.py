"""A process-level fault from a Locust run (`--fault-process`), through `harness up`'s
stack control: the worker is frozen while the test runs and resumed when it stops."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psutil
import pytest

from harness.load.command import LocustConfig
from harness.load.run import LocustRun
from harness.stack import StackSpec, open_stack
from harness.stack.base import Stack
from harness.stack.control import StackControl

pytestmark = pytest.mark.integration
SPEC = StackSpec()


@pytest.fixture(scope="module")
def stack_and_control() -> Iterator[tuple[Stack, StackControl]]:
    with open_stack(SPEC) as stack, StackControl(stack, SPEC.fault_token) as control:
        yield stack, control


def _status(pid: int) -> str:
    return str(psutil.Process(pid).status())


def test_worker_frozen_for_the_test_and_resumed_after(
    stack_and_control: tuple[Stack, StackControl],
) -> None:
    stack, control = stack_and_control
    worker = stack.pids()["worker"]
    config = LocustConfig(
        host=stack.endpoints.api,
        users=2,
        run_time=6,
        fault_token=SPEC.fault_token,
        extra_args=("--fault-process", "worker_frozen", "--stack-control-url", control.url),
    )
    with LocustRun(config) as run:
        deadline = time.monotonic() + 15
        while _status(worker) != psutil.STATUS_STOPPED and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _status(worker) == psutil.STATUS_STOPPED, "the worker was never frozen"
        result = run.wait()
    assert result.exit_code in (0, 3), result
    deadline = time.monotonic() + 10
    while _status(worker) == psutil.STATUS_STOPPED and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _status(worker) != psutil.STATUS_STOPPED, "the worker was left frozen"
