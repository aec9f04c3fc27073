"""Wait strategies: success, a timeout message worth reading, early exit, cancel."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from harness.errors import StackError
from harness.stack.ports import free_port
from harness.stack.process import ManagedProcess
from harness.stack.wait import (
    AllOf,
    CallableWait,
    HttpWait,
    NotReady,
    TcpWait,
    WaitCancelled,
    format_log_tail,
    wait_exit,
)
from tests.support.poll import wait_until


@pytest.fixture
def sleeper(tmp_path: Path) -> Iterator[ManagedProcess]:
    code = "import time; print('booting'); print('still booting', flush=True); time.sleep(60)"
    process = ManagedProcess("sleeper", [sys.executable, "-c", code], log_path=tmp_path / "s.log")
    process.start()
    wait_until(lambda: "still booting" in process.log_tail(), what="'still booting' in its log")
    yield process
    process.stop(timeout=2)


def test_timeout_message_names_endpoint_error_and_log_tail(sleeper: ManagedProcess) -> None:
    url = f"http://127.0.0.1:{free_port()}/-/ready"  # nothing listens there
    strategy = HttpWait(url, timeout=0.3, poll_interval=0.05)
    started = time.monotonic()
    with pytest.raises(StackError) as info:
        strategy.wait("Prometheus", target=sleeper)
    assert time.monotonic() - started < 2
    message = str(info.value)
    assert message.startswith(f"Prometheus not ready within 0.3 s at {url}")
    assert "last error: connection refused" in message
    assert "log tail" in message and "still booting" in message


def test_process_exit_fails_fast_with_code_and_log(tmp_path: Path) -> None:
    code = "import sys; print('bad config: line 3'); sys.exit(3)"
    process = ManagedProcess("broken", [sys.executable, "-c", code], log_path=tmp_path / "b.log")
    process.start()
    strategy = HttpWait(f"http://127.0.0.1:{free_port()}/", timeout=10)
    started = time.monotonic()
    with pytest.raises(StackError) as info:
        strategy.wait("Alertmanager", target=process)
    assert time.monotonic() - started < 5
    assert "Alertmanager exited with code 3 before it was ready" in str(info.value)
    assert "bad config: line 3" in str(info.value)


class _Handler(BaseHTTPRequestHandler):
    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        self.send_response(200 if type(self).calls >= 3 else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_http_wait_polls_until_status() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        waited = HttpWait(f"http://127.0.0.1:{port}/", poll_interval=0.01).wait("thing")
        assert _Handler.calls == 3 and waited < 2
        both = AllOf(TcpWait("127.0.0.1", port), HttpWait(f"http://127.0.0.1:{port}/"))
        assert "tcp://127.0.0.1" in both.describe() and " and http://" in both.describe()
        both.wait("both")
    finally:
        server.shutdown()
        server.server_close()


def test_last_error_is_the_probe_message() -> None:
    def never() -> None:
        raise NotReady("HTTP 503 (want 200)")

    with pytest.raises(StackError, match=r"last error: HTTP 503 \(want 200\)"):
        CallableWait(never, "somewhere", timeout=0.1, poll_interval=0.02).wait("X")


def test_cancel_stops_waiting() -> None:
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()

    def never() -> None:
        raise NotReady("no")

    started = time.monotonic()
    with pytest.raises(WaitCancelled):
        CallableWait(never, "x", timeout=30, poll_interval=5).wait("X", cancel=cancel)
    assert time.monotonic() - started < 2


class _Exiting:
    """A WaitTarget (as a container is one) that exits with ``code`` on poll ``after`` + 1."""

    def __init__(self, code: int, after: int) -> None:
        self.name = "fake"
        self.code, self.after, self.polls = code, after, 0

    def poll(self) -> int | None:
        self.polls += 1
        return self.code if self.polls > self.after else None

    def describe_log(self, lines: int = 20) -> str:
        return format_log_tail("fake.log", "first words\nlast words", lines)


def test_wait_exit_returns_the_exit_code() -> None:
    target = _Exiting(4, after=3)
    assert wait_exit(target, 5.0, poll_interval=0.001) == 4
    assert target.polls == 4


def test_wait_exit_timeout_shows_the_log_tail() -> None:
    with pytest.raises(StackError) as info:
        wait_exit(_Exiting(0, after=10**9), 0.05, poll_interval=0.01)
    message = str(info.value)
    assert message.startswith("fake did not finish within 0.05 s.")
    assert "  log tail (fake.log):\n    first words\n    last words" in message


def test_wait_exit_gives_up_on_cancel() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(WaitCancelled, match="Stopped waiting for fake"):
        wait_exit(_Exiting(0, after=10**9), 10.0, cancel=cancel)


def test_readiness_fails_fast_when_any_wait_target_exits() -> None:
    def never() -> None:
        raise NotReady("not yet")

    strategy = CallableWait(never, "never", timeout=10.0, poll_interval=0.001)
    with pytest.raises(StackError) as info:
        strategy.wait("Redis", target=_Exiting(137, after=2))
    assert str(info.value).startswith("Redis exited with code 137 before it was ready at never.")
    assert "last words" in str(info.value)


def test_format_log_tail_of_nothing() -> None:
    assert format_log_tail("x.log", "") == "  log tail (x.log):\n    (empty)"
