"""The one way tests start the target (the system under test), in either of two forms.

In process, for unit tests: ``make_app`` builds the API app on a small seeded SQLite file
with Redis pointed at a closed port (nothing listens there), and ``asgi_client`` talks to
it without a lifespan (no background collector).

As processes, for integration tests: ``running_target`` starts redis-server, runs dbinit,
then starts the worker and the API on free loopback ports (``python -m
harness.target.<name>``, as the stack does), waits for /health, and stops everything on
the way out, whatever the test did.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Coroutine, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from harness.paths import PROJECT_DIR
from harness.stack.ports import free_port
from harness.stack.process import ManagedProcess
from harness.target.app import create_app
from harness.target.dbinit import init_database
from harness.target.seed import SeedPlan
from harness.target.settings import Settings
from tests.support.poll import wait_until

T = TypeVar("T")
TEACHER = {"X-User-Id": "teacher-1", "X-Tenant-Id": "tenant-1", "X-Role": "teacher"}

# -- in process ---------------------------------------------------------------------------
UNIT_TOKEN = "unit-token"
SMALL = SeedPlan(tenants=1, schools_per_tenant=1, classes_per_school=2, students_per_school=5)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seeded_db(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'unit.db'}"
    init_database(url, SMALL)
    return url


def make_app(tmp: Path, **overrides: Any) -> tuple[FastAPI, CollectorRegistry]:
    """The API app on a fresh registry; ``overrides`` are Settings fields."""
    values: dict[str, Any] = {
        "database_url": seeded_db(tmp),
        "redis_url": f"redis://127.0.0.1:{closed_port()}/0",
        "fault_token": UNIT_TOKEN,
        "fault_seed": 1,
        **overrides,
    }
    registry = CollectorRegistry()
    return create_app(Settings(**values), registry), registry


def asgi_client(
    app: FastAPI, *, raise_app_exceptions: bool = True, **kwargs: Any
) -> httpx.AsyncClient:
    """An ASGI client (no lifespan: no background collector in unit tests)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://target", **kwargs)


# -- as processes -------------------------------------------------------------------------
@dataclass
class TargetProcesses:
    """redis-server, the worker and the API in ``run_dir``; ``env``: extra TARGET_* settings."""

    run_dir: Path
    token: str
    env: Mapping[str, str] = field(default_factory=dict)
    redis_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    worker_port: int = field(default_factory=free_port)
    procs: dict[str, ManagedProcess] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def worker(self) -> str:
        return f"http://127.0.0.1:{self.worker_port}"

    def process_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(PROJECT_DIR),
            "PYTHONUNBUFFERED": "1",
            "TARGET_DATABASE_URL": f"sqlite:///{self.run_dir / 'target.db'}",
            "TARGET_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "TARGET_FAULT_TOKEN": self.token,
            "TARGET_WORKER_CONTROL_URL": self.worker,
            **self.env,
        }

    def start(self) -> None:
        self.start_redis()
        env = self.process_env()
        subprocess.run(
            [sys.executable, "-m", "harness.target.dbinit"],
            env=env,
            cwd=PROJECT_DIR,
            check=True,
            capture_output=True,
            timeout=60,
        )
        for name, port in (("worker", self.worker_port), ("api", self.api_port)):
            argv = [sys.executable, "-m", f"harness.target.{name}", "--host", "127.0.0.1",
                    "--port", str(port)]
            self._launch(name, argv, env)
        for name, url in (("worker", self.worker), ("api", self.api)):
            self._wait_healthy(name, url)

    def start_redis(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
        argv = [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.run_dir)]
        self._launch("redis", argv, None)
        wait_until(self._redis_pings, timeout=10, what="redis-server to answer PING")

    def stop_redis(self) -> int | None:
        return self.procs["redis"].stop()

    def stop(self, timeout: float = 10.0) -> dict[str, int | None]:
        """SIGTERM, wait, SIGKILL, API first; the exit status of each."""
        order = [name for name in ("api", "worker", "redis") if name in self.procs]
        return {name: self.procs[name].stop(timeout) for name in order}

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{p.log_tail(30)}" for n, p in self.procs.items())

    def _launch(self, name: str, argv: list[str], env: Mapping[str, str] | None) -> None:
        log = self.run_dir / f"{name}.log"
        self.procs[name] = ManagedProcess(name, argv, log_path=log, env=env, cwd=self.run_dir)
        self.procs[name].start()

    def _redis_pings(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")

    def _wait_healthy(self, name: str, url: str) -> None:
        proc = self.procs[name]

        def healthy() -> bool:
            if not proc.is_running():
                pytest.fail(f"{name} exited ({proc.poll()}) before ready\n{proc.describe_log()}")
            return httpx.get(f"{url}/health", timeout=2, trust_env=False).status_code == 200

        wait_until(healthy, timeout=30, what=lambda: f"{url}/health to answer 200\n{self.logs()}")


@contextmanager
def running_target(
    run_dir: Path, *, token: str, env: Mapping[str, str] | None = None, clean_exit: bool = True
) -> Iterator[TargetProcesses]:
    """A started target, stopped afterwards; with ``clean_exit`` the API and the worker
    must then exit 0 on SIGTERM (a test that stopped them itself passes False)."""
    target = TargetProcesses(run_dir, token, dict(env or {}))
    try:
        target.start()
    except BaseException:
        target.stop()
        print(target.logs())
        raise
    try:
        yield target
    finally:
        codes = target.stop()
    if clean_exit:
        assert codes.get("api") == 0 and codes.get("worker") == 0, (
            f"target processes did not exit cleanly on SIGTERM: {codes}\n{target.logs()}"
        )
