"""Errors of the load side: a Locust run that cannot start or finish, a refused fault call."""

from __future__ import annotations

from harness.errors import HarnessError


class LoadError(HarnessError):
    """A Locust run could not start, did not stop by itself, or left no statistics."""


class FaultControlError(HarnessError):
    """The target's fault-control API refused or failed a call (bad token, bad state, down)."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status
