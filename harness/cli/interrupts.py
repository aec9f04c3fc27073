"""SIGINT, SIGTERM and SIGHUP unwind every harness command like Ctrl-C (``main`` wraps
each one; the pytest plugin its session), so whatever was started stops on its way out.
A SIGHUP ignored on entry (``nohup harness run ...``) stays ignored."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def interrupts_unwind() -> Iterator[None]:
    """The stop signals raise KeyboardInterrupt (named after the signal), so every
    context manager unwinds. Later signals are ignored while teardown runs."""
    stopping = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {
        sig: signal.signal(sig, handler)
        for sig in _STOP_SIGNALS
        if not (sig == signal.SIGHUP and signal.getsignal(sig) == signal.SIG_IGN)
    }
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
