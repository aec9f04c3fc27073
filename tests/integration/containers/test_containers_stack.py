"""ContainerStack on a real engine with the real images and the real target."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from containers_helpers import ALWAYS_FIRING, leftover_containers, spec

from harness.errors import StackError
from harness.stack import open_stack
from harness.stack.containers import ContainerStack
from harness.stack.rundir import MARKER

pytestmark = [pytest.mark.containers, pytest.mark.integration]


def _get(url: str, **params: str) -> httpx.Response:
    return httpx.get(url, params=params, timeout=5, trust_env=False)


def _redis_ping(url: str, timeout: float = 1.0) -> bytes:
    host, port = url.removeprefix("redis://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(64)


def test_up_scrapes_and_alert_reaches_receiver(tmp_path: Path) -> None:
    stack = open_stack(spec(tmp_path, rule_files=(("wiring.yml", ALWAYS_FIRING),)), "containers")
    assert isinstance(stack, ContainerStack)
    with stack:
        endpoints = stack.endpoints
        run_id = stack.run_id
        assert run_id and set(leftover_containers(run_id)) == {
            f"harness-{run_id}-{name}"
            for name in ("redis", "worker", "api", "alertmanager", "prometheus", "dbinit")
        }
        assert set(stack.pids()) == {"redis", "worker", "api", "alertmanager", "prometheus"}
        assert (endpoints.run_dir / MARKER).exists()

        stack.wait_scraped(timeout=30)
        result = _get(f"{endpoints.prometheus}/api/v1/query", query="up").json()["data"]["result"]
        assert {r["metric"]["job"]: r["value"][1] for r in result} == {"api": "1", "worker": "1"}
        assert _get(f"{endpoints.api}/health").json()["status"] == "healthy"
        status = _get(f"{endpoints.alertmanager}/api/v2/status").json()
        assert status["cluster"]["status"] == "disabled"
        assert _redis_ping(endpoints.redis).startswith(b"+PONG")

        note = stack.receiver.wait_for(
            lambda n: "AlwaysFiring" in n.alertnames and n.status == "firing", timeout=20
        )
        assert note is not None, "no notification reached the capture receiver"
        assert "level=info" in stack.log_text("alertmanager")
    assert leftover_containers(run_id) == []
    assert not endpoints.run_dir.exists()


def test_fault_hooks(tmp_path: Path) -> None:
    with open_stack(spec(tmp_path), "containers") as stack:
        endpoints = stack.endpoints

        stack.pause("redis")  # the freezer: no answer at all
        with pytest.raises(OSError):
            _redis_ping(endpoints.redis, timeout=0.3)
        stack.resume("redis")
        assert _redis_ping(endpoints.redis).startswith(b"+PONG")

        old_pid = stack.pids()["worker"]
        stack.kill("worker")
        assert "worker" not in stack.pids()
        with pytest.raises(httpx.HTTPError):
            _get(endpoints.worker_metrics)
        stack.start_service("worker")  # the same container, the same port
        assert _get(endpoints.worker_metrics).status_code == 200
        assert stack.pids()["worker"] != old_pid

        stack.stop_service("redis")
        with pytest.raises(OSError):
            _redis_ping(endpoints.redis)
        stack.start_service("redis")
        assert _redis_ping(endpoints.redis).startswith(b"+PONG")

        with pytest.raises(StackError, match="already running"):
            stack.start_service("redis")
        with pytest.raises(StackError, match="Unknown service 'grafana'"):
            stack.pause("grafana")


def test_busy_api_port_starts_nothing(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(StackError, match=f"The API port {port} on 127.0.0.1 is already in use"):
            open_stack(spec(tmp_path, api_port=port), "containers").up()
    state = tmp_path / "state"
    assert not state.exists() or list(state.iterdir()) == []


def test_failed_start_removes_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbinit fails (a database URL it cannot open): the error quotes its log, and every
    container already started (Redis, Alertmanager...) is removed."""
    bad = spec(tmp_path, target_env={"TARGET_DATABASE_URL": "sqlite:////proc/nope/x.db"})
    stack = open_stack(bad, "containers")
    with pytest.raises(StackError) as info:
        stack.up()
    message = str(info.value)
    assert "Database init" in message and "exit code 2" in message
    assert "dbinit: cannot initialise sqlite:////proc/nope/x.db" in message  # the log tail
    assert isinstance(stack, ContainerStack) and stack.run_id
    assert leftover_containers(stack.run_id) == []
