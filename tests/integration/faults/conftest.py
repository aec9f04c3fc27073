"""Fixtures: one local stack per test module and database (SQLite, the stack's own
PostgreSQL), scraped by Prometheus before the first test, and a fault applier per test
whose faults are undone, and the target reset, afterwards."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest
from fault_helpers import metric, wait_until

from harness.engine.fault_injection import FaultApplier
from harness.errors import StackError
from harness.load.fault_client import FaultClient
from harness.observe.prometheus import PrometheusClient
from harness.stack import StackSpec, open_stack
from harness.stack.base import Stack
from harness.stack.postgres import postgres_bindir, require_psycopg

TIME_SCALE = 60  # EventBus retries after 30 s / 60 = 0.5 s
TEACHER = {"X-User-Id": "teacher-1", "X-Tenant-Id": "tenant-1", "X-Role": "teacher"}
TOKEN = "fault-tests-token"
QUEUES = ("notifications", "reports")


@pytest.fixture(scope="module", params=("sqlite", "postgres"))
def database(request: pytest.FixtureRequest) -> str:
    """Every fault test runs on both databases the stack provides."""
    if request.param == "postgres":
        try:
            postgres_bindir()
            require_psycopg()
        except StackError as exc:
            pytest.skip(f"PostgreSQL: {exc} (make bootstrap)")
    return str(request.param)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Stack]:
    missing = [b for b in ("redis-server", "prometheus") if shutil.which(b) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (make bootstrap)")
    spec = StackSpec(
        database=database,
        state_dir=tmp_path_factory.mktemp("faults") / "state",
        time_scale=TIME_SCALE,
        target_env={"TARGET_FAULT_SEED": "7", "TARGET_LOG_LEVEL": "warning"},
        fault_token=TOKEN,
        run_label="fault-tests",
    )
    with open_stack(spec) as running:
        running.wait_scraped(timeout=20)
        yield running


@pytest.fixture(scope="module")
def prom(stack: Stack) -> Iterator[PrometheusClient]:
    client = PrometheusClient(stack.endpoints.prometheus)
    yield client
    client.close()


@pytest.fixture(scope="module")
def fault_client(stack: Stack) -> Iterator[FaultClient]:
    with FaultClient(stack.endpoints.api, TOKEN, timeout=10) as client:
        yield client


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=stack.endpoints.api, headers=TEACHER, timeout=30, trust_env=False
    ) as client:
        yield client


@pytest.fixture
def faults(stack: Stack, fault_client: FaultClient) -> Iterator[FaultApplier]:
    """The engine's own fault applier (scenario fault kinds -> target faults, stack hooks).

    Afterwards: every fault undone, the target's fault state reset, and both queues
    drained, so the next test starts from a quiet target."""
    applier = FaultApplier(stack, fault_client)
    yield applier
    applier.revert()
    fault_client.reset()
    api_url = stack.endpoints.api
    wait_until(
        lambda: all(metric(api_url, "bullmq_queue_waiting_total", queue=q) == 0 for q in QUEUES),
        timeout=20,
        what="both queues to drain after the test",
    )
