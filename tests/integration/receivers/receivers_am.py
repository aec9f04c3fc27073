"""A real Alertmanager 0.25 on a free loopback port (helpers for the receiver integration tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

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
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Alertmanager exited ({self.process.returncode}):\n"
                                   + self.log())
            try:
                if httpx.get(self.url + "/-/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.05)
        raise RuntimeError(f"Alertmanager not ready within {timeout} s at {self.url}; "
                           f"last error: {last}\n{self.log()}")

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

    def wait_for_log(self, needle: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log():
                return True
            time.sleep(0.05)
        return False

    def post_alerts(self, *alerts: dict[str, object]) -> None:
        r = httpx.post(self.url + "/api/v2/alerts", json=list(alerts), timeout=5)
        if r.status_code != 200:
            raise RuntimeError(f"Alertmanager rejected the alerts: {r.status_code} {r.text}")
