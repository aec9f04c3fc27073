"""Containers tests need a Docker engine with the harness's images. When one of them is
selected, the engine is checked once and the session FAILS (never skips) with the reason
if it cannot run them: `scripts/start-dockerd.sh` and `scripts/build-images.sh` fix that.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from containers_helpers import leftover_containers

from harness.errors import HarnessError
from harness.stack.containers import preflight
from harness.stack.containers.engine import docker_host

_engine_error = pytest.StashKey[str | None]()


@pytest.fixture(scope="session")
def docker_engine(request: pytest.FixtureRequest) -> str:
    """The engine's address, once it answered and every image is there."""
    stash = request.config.stash
    if _engine_error not in stash:
        try:
            preflight()
            stash[_engine_error] = None
        except HarnessError as exc:
            stash[_engine_error] = str(exc)
    error = stash[_engine_error]
    if error is not None:
        pytest.fail(
            f"containers tests cannot run: {error}\n"
            '  run: docker_env=$(scripts/start-dockerd.sh) && eval "$docker_env" '
            "&& scripts/build-images.sh",
            pytrace=False,
        )
    return docker_host()


@pytest.fixture(autouse=True)
def _engine_and_no_leftovers(request: pytest.FixtureRequest, docker_engine: str) -> Iterator[None]:
    """Every containers test gets the engine, and leaves no container of its own behind."""
    before = set(leftover_containers())
    yield
    left = set(leftover_containers()) - before
    assert not left, f"{request.node.name} left containers behind: {sorted(left)}"
