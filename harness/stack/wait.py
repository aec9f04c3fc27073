"""Readiness waits: composable strategies with a timeout, a poll interval and a useful
timeout message (after testcontainers' ``HttpWaitStrategy``).

A strategy's ``probe()`` returns when the thing is ready and raises a transient error
(``NotReady``, ``OSError``, ``httpx.HTTPError``) while it is not. ``wait()`` polls it on
the monotonic clock; on timeout it raises ``StackError`` naming the endpoint, the last
error and the log tail of what it waits for.

What a wait watches is a ``WaitTarget`` (after testcontainers' ``WaitStrategyTarget``):
a process or a container, polled for its exit code and able to show its log. One that
exits while being waited for fails the wait at once, with its exit code; ``wait_exit()``
waits for a run-to-completion one.
"""

from __future__ import annotations

import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol, Self

import httpx

from harness.errors import StackError


class WaitTarget(Protocol):
    """Something a wait watches: a process (``ManagedProcess``) or a container
    (``ServiceContainer``)."""

    name: str

    def poll(self) -> int | None:
        """The exit code once it has exited; None while it runs (or before it starts)."""
        ...

    def describe_log(self, lines: int = 20) -> str:
        """The end of its log, indented, for an error message (see ``format_log_tail``)."""
        ...


def format_log_tail(source: str, text: str, lines: int = 20) -> str:
    """The last ``lines`` lines of ``text``, indented under 'log tail (<source>):'."""
    tail = text.splitlines()[-lines:]
    body = "\n".join(f"    {line}" for line in tail) if tail else "    (empty)"
    return f"  log tail ({source}):\n{body}"


class NotReady(Exception):
    """Raised by a probe: not ready yet (the message says why)."""


class WaitCancelled(StackError):
    """The wait was abandoned because the stack is being torn down."""


TRANSIENT: tuple[type[BaseException], ...] = (NotReady, OSError, httpx.HTTPError)


class WaitStrategy(ABC):
    def __init__(self, *, timeout: float = 10.0, poll_interval: float = 0.05) -> None:
        self.timeout = timeout
        self.poll_interval = poll_interval

    def with_timeout(self, seconds: float) -> Self:
        self.timeout = seconds
        return self

    def with_poll_interval(self, seconds: float) -> Self:
        self.poll_interval = seconds
        return self

    @abstractmethod
    def probe(self) -> None:
        """Return if ready; raise a transient error (see TRANSIENT) if not."""

    @abstractmethod
    def describe(self) -> str:
        """Where it waits, e.g. 'http://127.0.0.1:9090/-/ready'."""

    def wait(
        self,
        name: str,
        *,
        target: WaitTarget | None = None,
        cancel: threading.Event | None = None,
    ) -> float:
        """Poll until ready; return the seconds it took. StackError on timeout, or as soon
        as ``target`` exits."""
        start = time.monotonic()
        deadline = start + self.timeout
        last_error = "not probed yet"
        while True:
            if cancel is not None and cancel.is_set():
                raise WaitCancelled(f"Stopped waiting for {name}: the stack is shutting down.")
            if target is not None and (code := target.poll()) is not None:
                raise StackError(
                    f"{name} exited with code {code} before it was ready at {self.describe()}."
                    f"\n{target.describe_log()}"
                )
            try:
                self.probe()
                return time.monotonic() - start
            except TRANSIENT as exc:
                last_error = _describe_error(exc)
            now = time.monotonic()
            if now >= deadline:
                log = f"\n{target.describe_log()}" if target is not None else ""
                raise StackError(
                    f"{name} not ready within {self.timeout:g} s at {self.describe()}; "
                    f"last error: {last_error}{log}"
                )
            _pause(min(self.poll_interval, deadline - now), cancel)


def wait_exit(
    target: WaitTarget,
    timeout: float,
    *,
    cancel: threading.Event | None = None,
    poll_interval: float = 0.025,
) -> int:
    """Wait for a run-to-completion ``target`` to exit; its exit code. StackError with its
    log tail after ``timeout``; WaitCancelled as soon as ``cancel`` is set."""
    deadline = time.monotonic() + timeout
    while (code := target.poll()) is None:
        if cancel is not None and cancel.is_set():
            raise WaitCancelled(f"Stopped waiting for {target.name}: the stack is shutting down.")
        if time.monotonic() >= deadline:
            raise StackError(
                f"{target.name} did not finish within {timeout:g} s.\n{target.describe_log()}"
            )
        _pause(poll_interval, cancel)
    return code


def _pause(seconds: float, cancel: threading.Event | None) -> None:
    """Sleep, but wake at once when ``cancel`` is set."""
    if cancel is not None:
        cancel.wait(seconds)
    else:
        time.sleep(seconds)


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, httpx.ConnectError | ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timed out"
    text = str(exc) or type(exc).__name__
    return text


class HttpWait(WaitStrategy):
    """Ready when GET ``url`` answers ``status`` (200 by default)."""

    def __init__(self, url: str, *, status: int = 200, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.status = status

    def probe(self) -> None:
        # trust_env=False: a proxy from the environment must never see loopback probes.
        response = httpx.get(self.url, timeout=1.0, trust_env=False)
        if response.status_code != self.status:
            raise NotReady(f"HTTP {response.status_code} (want {self.status})")

    def describe(self) -> str:
        return self.url


class TcpWait(WaitStrategy):
    """Ready when a TCP connection to host:port succeeds."""

    def __init__(self, host: str, port: int, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.host, self.port = host, port

    def probe(self) -> None:
        with socket.create_connection((self.host, self.port), timeout=1.0):
            pass

    def describe(self) -> str:
        return f"tcp://{self.host}:{self.port}"


class RedisPingWait(TcpWait):
    """Ready when Redis answers PING with PONG (not -LOADING or an error)."""

    def probe(self) -> None:
        with socket.create_connection((self.host, self.port), timeout=1.0) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
        if not reply.startswith(b"+PONG"):
            raise NotReady(f"PING answered {reply.decode(errors='replace').strip()!r}")

    def describe(self) -> str:
        return f"redis://{self.host}:{self.port}"


class CallableWait(WaitStrategy):
    """Ready when ``check()`` returns without raising a transient error."""

    def __init__(self, check: Callable[[], None], description: str, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.description = description

    def probe(self) -> None:
        self.check()

    def describe(self) -> str:
        return self.description


class AllOf(WaitStrategy):
    """Ready when every strategy's probe passes (checked in order, on one clock)."""

    def __init__(self, *strategies: WaitStrategy, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.strategies = strategies

    def probe(self) -> None:
        for strategy in self.strategies:
            strategy.probe()

    def describe(self) -> str:
        return " and ".join(strategy.describe() for strategy in self.strategies)
