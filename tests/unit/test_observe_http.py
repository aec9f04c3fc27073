"""JsonApi: whatever a server answers becomes a StackError with what it said, never a
traceback (a loaded Prometheus once answered a body that was not JSON, and a run died
with JSONDecodeError)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.errors import StackError
from harness.observe.http import JsonApi


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        code, body = {"/ok": (200, b'{"a": 1}'), "/text": (200, b"Service starting"),
                      "/gone": (503, b"unavailable")}[self.path]
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[JsonApi]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = JsonApi(f"http://127.0.0.1:{server.server_address[1]}", name="Test", timeout=2)
    try:
        yield client
    finally:
        client.close()
        server.shutdown()
        server.server_close()


def test_json_is_returned_and_everything_else_is_a_stack_error(api: JsonApi) -> None:
    assert api.get("/ok") == {"a": 1}
    with pytest.raises(StackError, match="not JSON: 'Service starting'"):
        api.get("/text")
    with pytest.raises(StackError, match="answered 503"):
        api.get("/gone")
