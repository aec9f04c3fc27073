"""The tests' one polling helper: returns the first truthy value, fails naming what it
awaited and the last value or error it saw."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest

from tests.support.poll import holds_for, wait_until


def test_returns_the_first_truthy_value() -> None:
    values: Iterator[object] = iter([0, None, [], {"ready": True}])
    assert wait_until(lambda: next(values), what="ready", interval=0) == {"ready": True}


def test_timeout_names_what_was_awaited_and_the_last_value() -> None:
    counter = itertools.count()
    with pytest.raises(pytest.fail.Exception) as info:
        wait_until(lambda: next(counter) < 0, what="a negative count", timeout=0.05, interval=0.01)
    message = str(info.value)
    assert "waiting for a negative count" in message and "last: returned False" in message


def test_transient_errors_are_retried_and_reported() -> None:
    def refused() -> bool:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(pytest.fail.Exception, match="last: ConnectError: connection refused"):
        wait_until(refused, what="the server", timeout=0.05, interval=0.01)


def test_other_errors_propagate_at_once() -> None:
    calls: list[int] = []

    def broken() -> bool:
        calls.append(1)
        raise KeyError("state")

    with pytest.raises(KeyError):
        wait_until(broken, what="state", timeout=5)
    assert calls == [1]


def test_a_callable_what_describes_the_state_at_the_deadline() -> None:
    seen = {"state": "starting"}
    with pytest.raises(pytest.fail.Exception, match="ready, state was starting"):
        wait_until(lambda: False, what=lambda: f"ready, state was {seen['state']}", timeout=0)


def test_holds_for_checks_until_the_window_ends_and_fails_when_it_stops() -> None:
    assert holds_for(lambda: True, seconds=0.05, what="quiet", interval=0.01) >= 2
    values = iter([True, True, False])
    with pytest.raises(AssertionError, match="quiet stopped holding after 2 checks"):
        holds_for(lambda: next(values), seconds=5, what="quiet", interval=0)
