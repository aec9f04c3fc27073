"""LocalStack against real Prometheus, Alertmanager and Redis, with a stand-in target."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from stack_helpers import alive, processes_under, wait_for

from harness.errors import StackError
from harness.stack import StackSpec, open_stack
from harness.stack.local.backend import LocalStack
from harness.stack.rundir import MARKER

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("fake_targets")]

ALWAYS_FIRING = """\
groups:
  - name: wiring
    rules:
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: {severity: warning}
"""


def _spec(tmp_path: Path, **changes: object) -> StackSpec:
    return dataclasses.replace(StackSpec(state_dir=tmp_path / "state"), **changes)  # type: ignore[arg-type]


def _get(url: str, **params: str) -> httpx.Response:
    return httpx.get(url, params=params, timeout=5, trust_env=False)


def _redis_ping(url: str, timeout: float = 1.0) -> bytes:
    host, port = url.removeprefix("redis://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64)


def test_up_scrapes_targets_and_down_leaves_nothing(tmp_path: Path) -> None:
    with open_stack(_spec(tmp_path)) as stack:
        assert isinstance(stack, LocalStack)
        endpoints = stack.endpoints
        assert stack.startup_seconds is not None  # how fast: benchmarks, not tests
        pids = stack.pids()
        assert set(pids) == {"redis", "worker", "api", "alertmanager", "prometheus"}
        marker = json.loads((endpoints.run_dir / MARKER).read_text())
        recorded = {child["name"]: child["pid"] for child in marker["children"]}
        assert recorded.items() >= pids.items() and "dbinit" in recorded

        stack.wait_scraped(timeout=20)
        result = _get(f"{endpoints.prometheus}/api/v1/query", query="up").json()["data"]["result"]
        assert {r["metric"]["job"]: r["value"][1] for r in result} == {"api": "1", "worker": "1"}

        assert _get(f"{endpoints.alertmanager}/-/ready").status_code == 200
        status = _get(f"{endpoints.alertmanager}/api/v2/status").json()
        assert status["cluster"]["status"] == "disabled"
        assert _redis_ping(endpoints.redis).startswith(b"+PONG")

    for name, pid in pids.items():
        assert not alive(pid), f"{name} (pid {pid}) outlived the stack"
    assert not endpoints.run_dir.exists()
    assert not processes_under(tmp_path)


def test_alert_reaches_capture_receiver(tmp_path: Path) -> None:
    """Rules are loaded, Prometheus knows Alertmanager, the default route notifies."""
    spec = _spec(tmp_path, rule_files=(("wiring.yml", ALWAYS_FIRING),))
    with open_stack(spec) as stack:
        assert isinstance(stack, LocalStack)
        endpoints = stack.endpoints
        groups = _get(f"{endpoints.prometheus}/api/v1/rules").json()["data"]["groups"]
        assert [g["name"] for g in groups] == ["wiring"]
        note = stack.receiver.wait_for(
            lambda n: "AlwaysFiring" in n.alertnames and n.status == "firing", timeout=15
        )
        assert note is not None, "no notification reached the capture receiver"


def test_fault_hooks(tmp_path: Path) -> None:
    with open_stack(_spec(tmp_path)) as stack:
        endpoints = stack.endpoints

        stack.pause("redis")
        with pytest.raises(OSError):
            _redis_ping(endpoints.redis, timeout=0.3)
        stack.resume("redis")
        assert _redis_ping(endpoints.redis).startswith(b"+PONG")

        old_pid = stack.pids()["api"]
        stack.kill("api")
        assert "api" not in stack.pids() and not alive(old_pid)
        with pytest.raises(httpx.HTTPError):
            _get(f"{endpoints.api}/metrics")
        stack.start_service("api")  # same port
        assert _get(f"{endpoints.api}/metrics").status_code == 200
        assert stack.pids()["api"] != old_pid

        stack.stop_service("redis")
        with pytest.raises(OSError):
            _redis_ping(endpoints.redis)
        stack.start_service("redis")
        assert _redis_ping(endpoints.redis).startswith(b"+PONG")

        marker = json.loads((endpoints.run_dir / MARKER).read_text())
        recorded = {child["name"]: child["pid"] for child in marker["children"]}
        assert recorded["api"] == stack.pids()["api"]  # a restart is recorded for the sweep

        with pytest.raises(StackError, match="already running"):
            stack.start_service("redis")
        with pytest.raises(StackError, match="Unknown service 'grafana'"):
            stack.pause("grafana")
        pids = stack.pids()
    assert not any(alive(pid) for pid in pids.values())


def test_failed_start_stops_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DBINIT_EXIT", "1")
    stack = open_stack(_spec(tmp_path))
    with pytest.raises(StackError) as info:
        stack.up()
    message = str(info.value)
    assert "Database init (python -m harness.target.dbinit) failed with exit code 1" in message
    assert "fake dbinit sqlite:///" in message  # the log tail
    assert not processes_under(tmp_path)
    assert list((tmp_path / "state").iterdir()) == []


def test_busy_api_port_starts_nothing(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(StackError, match=f"The API port {port} on 127.0.0.1 is already in use"):
            open_stack(_spec(tmp_path, api_port=port)).up()
    assert not processes_under(tmp_path)


def test_fixed_api_port_is_used(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open_stack(_spec(tmp_path, api_port=port)) as stack:
        assert stack.endpoints.api == f"http://127.0.0.1:{port}"


def test_ctrl_c_during_start_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("FAKE_START_DELAY", "30")  # the stand-in API and worker never get ready
    # Ctrl-C, whatever this process inherited: a shell's `cmd &` starts it with SIGINT
    # ignored, and Python then leaves it so.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        open_stack(_spec(tmp_path)).up()
    timer.join()
    assert time.monotonic() - started < 10
    wait_for(lambda: not processes_under(tmp_path), timeout=5, what="no stack process left")
    assert list((tmp_path / "state").iterdir()) == []
