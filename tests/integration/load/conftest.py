"""A real target for the load tests: redis-server, the API and the worker as child processes.

Started once per session in a temporary directory on free loopback ports, and stopped in
finalizers (whatever the tests did). Skips when redis-server is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.paths import PROJECT_DIR
from harness.stack.ports import free_port
from harness.stack.process import ManagedProcess

TOKEN = "load-test-token"


@dataclass(frozen=True)
class Target:
    api: str
    worker: str
    token: str
    run_dir: Path

    def requests_by_route(self) -> dict[tuple[str, str], float]:
        """http_requests_total summed over status and tenant, by (method, route)."""
        text = httpx.get(f"{self.api}/metrics", timeout=5).text
        counts: dict[tuple[str, str], float] = {}
        for family in text_string_to_metric_families(text):
            if family.name != "http_requests":
                continue
            for sample in family.samples:
                if sample.name == "http_requests_total":
                    key = (sample.labels["method"], sample.labels["route"])
                    counts[key] = counts.get(key, 0.0) + sample.value
        return counts

    def faults(self) -> dict[str, Any]:
        headers = {"X-Fault-Token": self.token}
        return dict(httpx.get(f"{self.api}/faults", headers=headers, timeout=5).json())


def wait_http(url: str, proc: ManagedProcess, timeout: float = 20.0) -> None:
    """Poll ``url`` until 200; fail with the process log if it exits or time runs out."""
    end = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < end:
        if not proc.is_running():
            pytest.fail(f"{proc.name} exited ({proc.poll()}) before ready\n{proc.describe_log()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.1)
    pytest.fail(f"{url} not ready within {timeout:g} s ({last})\n{proc.describe_log()}")


@pytest.fixture(scope="session")
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
