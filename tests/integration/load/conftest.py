"""A real target for the load tests: redis-server, the API and the worker as child processes.

Started once per session in a temporary directory on free loopback ports, and stopped in
finalizers (whatever the tests did). Skips when redis-server is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from load_target import Target, wait_http

from harness.paths import PROJECT_DIR
from harness.stack.ports import free_port
from harness.stack.process import ManagedProcess

TOKEN = "load-test-token"


# Module scope: the target stops after each module's tests, so it never runs on beside
# the later tests of the session (the alert scenarios time their windows on 2 cores).
@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    redis_bin = shutil.which("redis-server")
    if redis_bin is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    run_dir = tmp_path_factory.mktemp("load-target")
    redis_port, api_port, worker_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "TARGET_DATABASE_URL": f"sqlite:///{run_dir / 'target.db'}",
        "TARGET_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "TARGET_FAULT_TOKEN": TOKEN,
        "TARGET_WORKER_CONTROL_URL": f"http://127.0.0.1:{worker_port}",
        "TARGET_LOG_LEVEL": "warning",
    }
    py = [sys.executable, "-m"]
    procs = [
        ManagedProcess("redis", [redis_bin, "--port", str(redis_port), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no", "--dir", str(run_dir)],
                       log_path=run_dir / "redis.log"),
        ManagedProcess("worker", [*py, "harness.target.worker", "--host", "127.0.0.1",
                                  "--port", str(worker_port)],
                       log_path=run_dir / "worker.log", env=env, cwd=PROJECT_DIR),
        ManagedProcess("api", [*py, "harness.target.api", "--host", "127.0.0.1",
                               "--port", str(api_port)],
                       log_path=run_dir / "api.log", env=env, cwd=PROJECT_DIR),
    ]
    try:
        procs[0].start()
        subprocess.run([*py, "harness.target.dbinit"], env=env, cwd=PROJECT_DIR, check=True,
                       capture_output=True, timeout=60)
        for proc in procs[1:]:
            proc.start()
        wait_http(f"http://127.0.0.1:{worker_port}/health", procs[1])
        wait_http(f"http://127.0.0.1:{api_port}/health", procs[2])
        yield Target(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{worker_port}",
                     TOKEN, run_dir)
    finally:
        for proc in reversed(procs):
            proc.stop(timeout=5.0)


@pytest.fixture
def clean_faults(target: Target) -> Iterator[None]:
    """Faults reset before and after the test."""
    headers = {"X-Fault-Token": target.token}
    httpx.delete(f"{target.api}/faults", headers=headers, timeout=5)
    yield
    httpx.delete(f"{target.api}/faults", headers=headers, timeout=5)
