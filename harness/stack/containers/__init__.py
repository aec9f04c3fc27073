"""The containers backend: every piece of the stack in a container on a Docker engine
(testcontainers-python), host networking by default."""

from harness.stack.containers.backend import ContainerStack

__all__ = ["ContainerStack"]
