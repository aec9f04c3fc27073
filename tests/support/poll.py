"""The one way tests wait: poll a condition on the monotonic clock, never a guessed sleep.

``wait_until`` returns the condition's first truthy value; at the deadline the test fails
naming what it awaited and the last value (or transient error) it saw. ``holds_for`` is
the opposite claim, that something keeps holding over an observation window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import httpx
import pytest

T = TypeVar("T")

# Errors that mean "not yet" (a port not listening, a server still starting); any other
# exception from the condition is a failure and propagates at once.
TRANSIENT: tuple[type[BaseException], ...] = (httpx.HTTPError, OSError)


def wait_until(
    condition: Callable[[], T],
    *,
    what: str | Callable[[], str],
    timeout: float = 10.0,
    interval: float = 0.05,
    transient: tuple[type[BaseException], ...] = TRANSIENT,
) -> T:
    """Poll ``condition`` until it returns something truthy and return that.

    ``what`` names the awaited state for the failure message; a callable is asked only
    then, so it can describe the state at the deadline. The condition is always tried
    at least once, and once more after the deadline has passed.
    """
    deadline = time.monotonic() + timeout
    last = "nothing yet"
    while True:
        try:
            value = condition()
            if value:
                return value
            last = f"returned {_short(value)}"
        except transient as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            said = what() if callable(what) else what
            pytest.fail(f"timed out after {timeout:g} s waiting for {said}; last: {last}")
        time.sleep(interval)  # the poll interval of a condition wait


def holds_for(
    condition: Callable[[], object], *, seconds: float, what: str, interval: float = 0.1
) -> int:
    """Assert ``condition`` at every poll for ``seconds`` (a claim that something does
    *not* happen needs an observation window); returns how many times it was checked."""
    end = time.monotonic() + seconds
    checks = 0
    while True:
        value = condition()
        assert value, f"{what} stopped holding after {checks} checks: {_short(value)}"
        checks += 1
        if time.monotonic() >= end:
            return checks
        time.sleep(interval)


def _short(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
