"""Fixtures: a real target (Redis, API, worker) stopped in finalizers whether tests pass or not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from target_helpers import TOKEN, TargetStack


def _run_stack(tmp: Path) -> Iterator[TargetStack]:
    stack = TargetStack(tmp)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        print(stack.logs())
        raise
    yield stack
    codes = stack.stop()
    assert codes.get("api") == 0 and codes.get("worker") == 0, (
        f"target processes did not exit cleanly on SIGTERM: {codes}\n{stack.logs()}"
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetStack]:
    """One target for a module's tests (they must leave faults reset)."""
    yield from _run_stack(tmp_path_factory.mktemp("target"))


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[TargetStack]:
    """A target of the test's own (for tests that stop Redis)."""
    yield from _run_stack(tmp_path)


@pytest.fixture
def api(stack: TargetStack) -> Iterator[httpx.Client]:
    headers = {"X-User-Id": "teacher-1", "X-Tenant-Id": "tenant-1", "X-Role": "teacher"}
    with httpx.Client(base_url=stack.api, headers=headers, timeout=10) as client:
        yield client
    httpx.delete(f"{stack.api}/faults", headers={"X-Fault-Token": TOKEN}, timeout=10)
