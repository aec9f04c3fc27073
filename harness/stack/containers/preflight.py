"""Checks a run makes once, before any scenario, so an environment that cannot run the
containers backend is one clear message and exit code 2 (not one error per scenario)."""

from __future__ import annotations

from harness.stack.containers import engine
from harness.stack.containers.images import Images, resolve_images
from harness.stack.containers.plan import network_mode


def preflight() -> tuple[str, Images]:
    """The engine answers, HARNESS_CONTAINER_NETWORK is valid and every image is present;
    StackError saying which is not. Returns the engine's address and the images."""
    network_mode()
    client, host = engine.connect()
    try:
        return host, resolve_images(client, host)
    finally:
        client.close()
