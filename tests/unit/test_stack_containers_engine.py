"""Engine address, unreachable-engine messages, owners and the sweep (no engine)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.errors import StackError
from harness.process_start import start_ticks
from harness.stack.containers import engine


def test_docker_host_prefers_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    assert engine.docker_host() == "tcp://127.0.0.1:2375"


def test_dead_socket_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = tmp_path / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{dead}")
    with pytest.raises(StackError) as info:
        engine.connect(timeout=2)
    assert str(info.value).startswith(
        f"Docker engine not reachable at unix://{dead}: no socket there (No such file"
    )
    assert "scripts/start-dockerd.sh" in str(info.value)
    assert os.environ["TESTCONTAINERS_RYUK_DISABLED"] == "true"


def test_socket_nobody_serves_is_connection_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # bound, never listening
        monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
        with pytest.raises(StackError, match="connection refused"):
            engine.connect(timeout=2)


def _labels(pid: int, start: int, host: str | None = None) -> dict[str, str]:
    return {
        engine.RUN_LABEL: "r1",
        engine.OWNER_PID_LABEL: str(pid),
        engine.OWNER_START_LABEL: str(start),
        engine.OWNER_HOST_LABEL: host or socket.gethostname(),
    }


def test_owner_alive() -> None:
    me = os.getpid()
    assert engine.owner_alive(engine.owner_labels("r1"))
    assert not engine.owner_alive(_labels(me, (start_ticks(me) or 0) - 100))  # pid reused
    assert not engine.owner_alive(_labels(2**22 + 7, 0))  # no such pid
    assert engine.owner_alive(_labels(2**22 + 7, 0, host="another-host"))  # not ours to judge


def test_sweep_removes_only_containers_of_dead_owners() -> None:
    removed: list[str] = []

    def container(name: str, labels: dict[str, str]) -> SimpleNamespace:
        return SimpleNamespace(name=name, labels=labels, remove=lambda **kw: removed.append(name))

    live = container("live", engine.owner_labels("r1"))
    dead = container("dead", _labels(2**22 + 7, 0.0))
    client = SimpleNamespace(
        containers=SimpleNamespace(list=lambda **kw: [live, dead]),
        networks=SimpleNamespace(list=lambda **kw: []),
    )
    assert engine.sweep_containers(client) == ["dead"]  # type: ignore[arg-type]
    assert removed == ["dead"]
