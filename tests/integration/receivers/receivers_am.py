"""A real Alertmanager 0.25 on a free loopback port (helpers for the receiver integration tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import httpx

from tests.support.poll import wait_until

BINARY = "prometheus-alertmanager"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Alertmanager:
    def __init__(self, config_text: str, workdir: Path) -> None:
        self.workdir = workdir
        self.config = workdir / "alertmanager.yml"
        self.config.write_text(config_text)
        self.log_path = workdir / "alertmanager.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10) -> None:
        command = [
            BINARY, f"--config.file={self.config}", f"--storage.path={self.workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=",
            "--log.level=debug",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        wait_until(self._ready, timeout=timeout,
                   what=lambda: f"Alertmanager ready at {self.url}\n{self.log()}")

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"Alertmanager exited ({self.process.returncode}):\n" + self.log())
        return httpx.get(self.url + "/-/ready", timeout=1).status_code == 200

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, needle: str, timeout: float) -> None:
        wait_until(lambda: needle in self.log(), timeout=timeout,
                   what=lambda: f"{needle!r} in the Alertmanager log:\n{self.log()}")

    def post_alerts(self, *alerts: dict[str, object]) -> None:
        r = httpx.post(self.url + "/api/v2/alerts", json=list(alerts), timeout=5)
        if r.status_code != 200:
            raise RuntimeError(f"Alertmanager rejected the alerts: {r.status_code} {r.text}")
