"""The `harness` command on the containers backend: the flagship scenario passes, and an
environment that cannot run it is one clear message and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.paths import PROJECT_DIR, SCENARIOS_DIR

pytestmark = [pytest.mark.containers, pytest.mark.integration]
SCENARIO = SCENARIOS_DIR / "high-error-rate.yaml"


def _harness(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "harness.cli.main", "run", str(SCENARIO)]
    command += ["--backend", "containers", "--report-dir", str(tmp_path / "reports"), *args]
    return subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_flagship_scenario_passes_on_containers(tmp_path: Path) -> None:
    result = _harness(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS high-error-rate" in result.stdout + result.stderr


def test_no_docker_engine_is_exit_2(tmp_path: Path) -> None:
    dead = tmp_path / "dead.sock"
    result = _harness(tmp_path, DOCKER_HOST=f"unix://{dead}")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"Docker engine not reachable at unix://{dead}: no socket there" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_image_is_exit_2_naming_it(tmp_path: Path) -> None:
    result = _harness(tmp_path, HARNESS_IMAGE_API="alert-harness/api:no-such-tag")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "api: alert-harness/api:no-such-tag (set by HARNESS_IMAGE_API" in result.stderr
    assert "scripts/build-images.sh" in result.stderr
    assert "Traceback" not in result.stderr
