"""The local stack with the real target (harness.target): scraped, ready, and gone after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from stack_helpers import alive, processes_under

from harness.stack import StackSpec, open_stack
from harness.stack.local.backend import LocalStack

pytestmark = pytest.mark.integration


def test_real_target_is_scraped_and_cleaned_up(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    spec = StackSpec(state_dir=tmp_path / "state", time_scale=60)
    with open_stack(spec) as stack:
        assert isinstance(stack, LocalStack)
        endpoints = stack.endpoints
        # About 1.5-2 s on an idle 2-core machine (mostly the target's imports); the
        # bound is loose because CI machines are shared.
        assert stack.startup_seconds is not None  # how fast: benchmarks, not tests
        record_property("startup_seconds", round(stack.startup_seconds, 2))
        stack.wait_scraped(timeout=20)

        targets = httpx.get(f"{endpoints.prometheus}/api/v1/targets", trust_env=False).json()
        health = {t["labels"]["job"]: t["health"] for t in targets["data"]["activeTargets"]}
        assert health == {"api": "up", "worker": "up"}
        for url in (f"{endpoints.api}/metrics", endpoints.worker_metrics):
            assert httpx.get(url, trust_env=False).status_code == 200
        assert httpx.get(f"{endpoints.alertmanager}/-/ready", trust_env=False).status_code == 200
        pids = stack.pids()

    assert not any(alive(pid) for pid in pids.values())
    assert not processes_under(tmp_path)
