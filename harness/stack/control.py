"""Process-level faults over HTTP, for people driving load by hand (`harness up` + Locust UI).

The target's own /faults switches what the target can do to itself; freezing, killing
or stopping a process needs the harness that started it. ``StackControl`` serves, on a
free loopback port and behind the same token as the target's faults (X-Fault-Token):

    GET  /services                      the services and their pids
    POST /services/<service>/<action>   pause | resume | kill | stop | start

so a locustfile (``--fault-process worker_frozen`` in the web UI form) can freeze the
worker at test start and resume it at test stop.
"""

from __future__ import annotations

import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.errors import StackError
from harness.stack.base import Stack

TOKEN_HEADER = "X-Fault-Token"
ACTIONS = ("pause", "resume", "kill", "stop", "start")


class StackControl:
    def __init__(self, stack: Stack, token: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.stack = stack
        self.token = token
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StackControl:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def act(self, service: str, action: str) -> dict[str, Any]:
        """Run ``action`` on ``service``; StackError for an unknown one or a refusal."""
        if service not in self.stack.service_names():
            known = ", ".join(self.stack.service_names())
            raise StackError(f"unknown service {service!r}; this stack has: {known}")
        hooks = {
            "pause": self.stack.pause,
            "resume": self.stack.resume,
            "kill": self.stack.kill,
            "stop": self.stack.stop_service,
            "start": self.stack.start_service,
        }
        if action not in hooks:
            raise StackError(f"unknown action {action!r}; one of: {', '.join(ACTIONS)}")
        hooks[action](service)
        return {"service": service, "action": action, "pids": self.stack.pids()}


def _handler(control: StackControl) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet: no stderr lines
            return

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            given = self.headers.get(TOKEN_HEADER, "")
            if control.token and hmac.compare_digest(given, control.token):
                return True
            self._reply(401, {"error": f"missing or wrong {TOKEN_HEADER}"})
            return False

        def do_GET(self) -> None:
            if not self._authorised():
                return
            if self.path.rstrip("/") != "/services":
                self._reply(404, {"error": "GET /services"})
                return
            names = control.stack.service_names()
            self._reply(200, {"services": list(names), "pids": control.stack.pids()})

        def do_POST(self) -> None:
            if not self._authorised():
                return
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "services":
                self._reply(404, {"error": "POST /services/<service>/<action>"})
                return
            try:
                self._reply(200, control.act(parts[1], parts[2]))
            except StackError as exc:
                self._reply(409, {"error": str(exc)})

    return Handler
