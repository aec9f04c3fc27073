"""Fixtures: a real target (Redis, API, worker) stopped in finalizers whether tests pass or not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from target_helpers import SETTINGS, TOKEN

from tests.support.target import TEACHER, TargetProcesses, running_target


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetProcesses]:
    """One target for a module's tests (they must leave faults reset)."""
    with running_target(tmp_path_factory.mktemp("target"), token=TOKEN, env=SETTINGS) as target:
        yield target


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[TargetProcesses]:
    """A target of the test's own (for tests that stop Redis)."""
    with running_target(tmp_path, token=TOKEN, env=SETTINGS) as target:
        yield target


@pytest.fixture
def api(stack: TargetProcesses) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api, headers=TEACHER, timeout=10) as client:
        yield client
    httpx.delete(f"{stack.api}/faults", headers={"X-Fault-Token": TOKEN}, timeout=10)
