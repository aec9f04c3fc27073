"""The local backend: every piece of the stack as a child process on loopback ports."""

from harness.stack.local.backend import LocalStack

__all__ = ["LocalStack"]
