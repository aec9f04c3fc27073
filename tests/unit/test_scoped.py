"""Scoped: ``with`` enters by _enter() and leaves by _leave() on every way out."""

from __future__ import annotations

import pytest

from harness.scoped import Scoped


class _Recorder(Scoped):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def _enter(self) -> None:
        self.calls.append("enter")

    def _leave(self) -> None:
        self.calls.append("leave")


def test_with_returns_the_object_and_leaves() -> None:
    recorder = _Recorder()
    with recorder as entered:
        assert entered is recorder and recorder.calls == ["enter"]
    assert recorder.calls == ["enter", "leave"]


def test_leaves_on_an_error_and_lets_it_propagate() -> None:
    recorder = _Recorder()
    with pytest.raises(KeyError), recorder:
        raise KeyError("boom")
    assert recorder.calls == ["enter", "leave"]


def test_entering_does_nothing_by_default() -> None:
    class Closer(Scoped):
        closed = False

        def _leave(self) -> None:
            self.closed = True

    with Closer() as closer:
        assert not closer.closed
    assert closer.closed
