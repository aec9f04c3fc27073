"""The containers backend: every piece of the stack in a container on a Docker engine
(testcontainers-python), host networking by default."""

from harness.stack.containers.backend import ContainerStack
from harness.stack.containers.preflight import preflight

__all__ = ["ContainerStack", "preflight"]
