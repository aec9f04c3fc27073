"""Helpers for containers tests (imported by the tests and conftest.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import docker

from harness.stack import StackSpec
from harness.stack.containers.engine import OWNER_PID_LABEL, RUN_LABEL, docker_host

ALWAYS_FIRING = """\
groups:
  - name: wiring
    rules:
      - alert: AlwaysFiring
        expr: vector(1) > 0
        labels: {severity: warning}
"""


def spec(tmp_path: Path, **changes: object) -> StackSpec:
    base = StackSpec(state_dir=tmp_path / "state", run_label="ctest")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def client() -> docker.DockerClient:
    return docker.DockerClient(base_url=docker_host())


def leftover_containers(run_id: str | None = None) -> list[str]:
    """Names of harness containers on the engine (of one run, if given)."""
    label = f"{RUN_LABEL}={run_id}" if run_id else OWNER_PID_LABEL
    c = client()
    try:
        return [x.name for x in c.containers.list(all=True, filters={"label": label})]
    finally:
        c.close()
