"""A real target for the load tests: redis-server, the API and the worker as child processes.

Started once per session in a temporary directory on free loopback ports, and stopped in
finalizers (whatever the tests did). Skips when redis-server is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from load_target import Target

from tests.support.target import running_target

TOKEN = "load-test-token"


# Module scope: the target stops after each module's tests, so it never runs on beside
# the later tests of the session (the alert scenarios time their windows on 2 cores).
@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    run_dir = tmp_path_factory.mktemp("load-target")
    settings = {"TARGET_LOG_LEVEL": "warning"}
    with running_target(run_dir, token=TOKEN, env=settings, clean_exit=False) as processes:
        yield Target(processes.api, processes.worker, TOKEN, run_dir)


@pytest.fixture
def clean_faults(target: Target) -> Iterator[None]:
    """Faults reset before and after the test."""
    headers = {"X-Fault-Token": target.token}
    httpx.delete(f"{target.api}/faults", headers=headers, timeout=5)
    yield
    httpx.delete(f"{target.api}/faults", headers=headers, timeout=5)
