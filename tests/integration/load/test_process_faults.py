"""A process-level fault from a Locust run (`--fault-process`), through `harness up`'s
stack control: the worker is frozen while the test runs and resumed when it stops."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest

from harness.load.command import LocustConfig
from harness.load.run import LocustRun
from harness.stack import StackSpec, open_stack
from harness.stack.base import Stack
from harness.stack.control import StackControl
from tests.support.poll import wait_until

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
        wait_until(lambda: _status(worker) == psutil.STATUS_STOPPED, timeout=15, interval=0.1,
                   what="the worker to be frozen (status stopped)")
        result = run.wait()
    assert result.exit_code in (0, 3), result
    wait_until(lambda: _status(worker) != psutil.STATUS_STOPPED, timeout=10, interval=0.1,
               what="the worker to be resumed (it was left frozen)")
