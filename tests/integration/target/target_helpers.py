"""Helpers for target tests: a real redis-server, dbinit, the API and the worker as
subprocesses on free loopback ports in a tmp dir; ``wait_until`` polls with a deadline."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.paths import PROJECT_DIR

TOKEN = "test-fault-token"
TIME_SCALE = 60  # EventBus re-delivery after 30 s / 60 = 0.5 s
COLLECT_INTERVAL = 0.25


def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Poll ``condition`` until it returns a truthy value; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except (httpx.HTTPError, OSError) as exc:
            last_error = exc
        if time.monotonic() >= deadline:
            detail = f"; last error: {last_error}" if last_error else ""
            pytest.fail(f"timed out after {timeout} s waiting for {what}{detail}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> Callable[[], bool]:
    return lambda: httpx.get(f"{url}/health", timeout=2).status_code == 200


def sample(url: str, name: str, **labels: str) -> float:
    """Value of one series on a /metrics page (0.0 when absent)."""
    text = httpx.get(f"{url}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


@dataclass
class Proc:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str] | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.log.parent,
                start_new_session=True,
            )

    def stop(self, grace: float = 10.0) -> int | None:
        """SIGTERM, wait, SIGKILL; returns the exit status (None if it had to be killed)."""
        p = self.popen
        if p is None or p.poll() is not None:
            return p.returncode if p else None
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class TargetStack:
    tmp: Path
    redis_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    worker_port: int = field(default_factory=free_port)
    procs: dict[str, Proc] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def worker(self) -> str:
        return f"http://127.0.0.1:{self.worker_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(PROJECT_DIR),
            PYTHONUNBUFFERED="1",
            TARGET_DATABASE_URL=f"sqlite:///{self.tmp / 'target.db'}",
            TARGET_REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            TARGET_FAULT_TOKEN=TOKEN,
            TARGET_TIME_SCALE=str(TIME_SCALE),
            TARGET_QUEUE_COLLECT_INTERVAL=str(COLLECT_INTERVAL),
            TARGET_WORKER_CONTROL_URL=self.worker,
            TARGET_FAULT_SEED="7",
        )
        return env

    def start_redis(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
        argv = [
            binary,
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.tmp),
        ]
        self.procs["redis"] = proc = Proc("redis", argv, self.tmp / "redis.log")
        proc.start()
        wait_until(self._redis_pings, timeout=10, what="redis-server to answer PING")

    def _redis_pings(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")

    def stop_redis(self) -> None:
        self.procs["redis"].stop()

    def start(self) -> None:
        self.start_redis()
        env = self.env()
        python = [sys.executable, "-m"]
        subprocess.run(
            [*python, "harness.target.dbinit"],
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        for name, port in (("worker", self.worker_port), ("api", self.api_port)):
            argv = [*python, f"harness.target.{name}", "--host", "127.0.0.1", "--port", str(port)]
            self.procs[name] = Proc(name, argv, self.tmp / f"{name}.log", env)
            self.procs[name].start()
        for url in (self.worker, self.api):
            wait_until(_healthy(url), timeout=30, what=f"{url}/health to answer 200")

    def stop(self) -> dict[str, int | None]:
        return {
            name: self.procs[name].stop()
            for name in ("api", "worker", "redis")
            if name in self.procs
        }

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{p.tail()}" for n, p in self.procs.items())
