"""`harness up` with bad input: one clear message, exit 2, no traceback, nothing started."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import PROJECT_DIR


def _harness(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "up", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        check=False,
    )


def _assert_clean_failure(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("harness: ")
    assert "Stack is up" not in result.stdout
    return result.stderr


def test_path_without_prometheus(tmp_path: Path) -> None:
    for name in ("redis-server", "prometheus-alertmanager"):
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} not installed")
        (tmp_path / name).symlink_to(found)
    stderr = _assert_clean_failure(_harness(env={"PATH": str(tmp_path)}))
    assert "Required program 'prometheus' was not found on PATH." in stderr
    assert "apt-get install -y prometheus" in stderr


def test_busy_api_port() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        stderr = _assert_clean_failure(_harness("--api-port", str(port)))
    assert f"The API port {port} on 127.0.0.1 is already in use" in stderr
    assert f"held by pid {os.getpid()}" in stderr


def test_unreadable_rules_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-rules.yml"
    stderr = _assert_clean_failure(_harness("--rules", str(missing)))
    assert str(missing) in stderr
    assert "rule" in stderr.lower()


def test_invalid_time_scale() -> None:
    result = _harness("--time-scale", "0")
    assert result.returncode == 2
    assert "--time-scale" in result.stderr and "Traceback" not in result.stderr
