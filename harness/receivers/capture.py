"""The capture receiver: a local HTTP server that stands in for PagerDuty, Slack and webhooks.

Alertmanager's rendered configuration (``harness.receivers.render``) points every
receiver here::

    POST /pagerduty/<receiver>[/<i>]   Events v2; answers 202 like PagerDuty
    POST /slack/<receiver>[/<i>]       incoming webhook; answers 200 ``ok`` like Slack
    POST /webhook/<receiver>[/<i>]     Alertmanager webhook v4; answers 200
    GET  /inbox                        everything recorded, as JSON (DELETE clears it)

The inbox redacts routing and service keys (as reports do) and, when the receiver has
a ``token`` (the run's fault token, under `harness up`), answers 401 without the
header ``X-Fault-Token: <token>``.

``<i>`` tells apart several configs of one kind in one receiver. Each request is
recorded with its arrival time as a :class:`Notification`; tests wait on
:meth:`CaptureReceiver.wait_for`, a condition wait with no polling.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import quote, unquote, urlsplit

from harness.errors import StackError
from harness.receivers import pagerduty, slack, webhook
from harness.receivers.models import KINDS, Kind, Notification, Parsed, PayloadError
from harness.scoped import Scoped

Predicate = Callable[[Notification], bool]
_MAX_BODY = 10 * 1024 * 1024
# Stands for the capture receiver's base URL (no trailing slash) in a rendered
# Alertmanager configuration, replaced once the receiver listens: its port is not known
# before. A valid URL (`.invalid` never resolves) so `amtool check-config` accepts it.
RECEIVER_URL_TOKEN = "http://harness-capture-receiver.invalid"
REDACTED = "<redacted>"  # the reports' spelling (harness.report.redact)
_SECRET_FIELDS = frozenset({"routing_key", "service_key"})


def receiver_path(kind: Kind, receiver: str, index: int = 0) -> str:
    """URL path for one receiver config; the inverse of what the handler parses."""
    path = f"/{kind}/{quote(receiver, safe='')}"
    return path if index == 0 else f"{path}/{index}"


class CaptureReceiver(Scoped):
    """Threaded in-process HTTP server recording every notification it receives."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        alertnames: Iterable[str] = (),
        token: str | None = None,
    ) -> None:
        self.host = host
        self.token = token  # required by the /inbox endpoints when set
        self.port = port
        # Known alert names, to recognise them in Slack/PagerDuty free text.
        self.alertnames = frozenset(alertnames)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._records: list[Notification] = []
        self._rejected: list[dict[str, Any]] = []
        self._seq = 0

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> str:
        if self._server is not None:
            return self.url
        try:
            server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        except OSError as exc:
            raise StackError(
                f"Capture receiver cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from None
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"capture-receiver-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def _enter(self) -> None:
        self.start()

    def _leave(self) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise StackError("Capture receiver is not running: call start() first")
        return f"http://{self.host}:{self.port}"

    # -- reading ---------------------------------------------------------------------
    def notifications(self) -> list[Notification]:
        with self._cond:
            return list(self._records)

    def rejected(self) -> list[dict[str, Any]]:
        """Requests answered 400/404: wrong path or a body the integration never sends."""
        with self._cond:
            return list(self._rejected)

    def clear(self) -> None:
        with self._cond:
            self._records.clear()
            self._rejected.clear()

    def wait_for(self, predicate: Predicate, timeout: float) -> Notification | None:
        """First notification (already recorded or arriving within timeout) matching predicate."""
        deadline = time.monotonic() + timeout
        checked = 0
        with self._cond:
            while True:
                for record in self._records[checked:]:
                    if predicate(record):
                        return record
                checked = len(self._records)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def inbox(self) -> dict[str, Any]:
        """Everything recorded, as served on /inbox: routing and service keys redacted."""
        with self._cond:
            return {
                "notifications": [_redacted(n.to_dict()) for n in self._records],
                "rejected": list(self._rejected),
            }

    # -- recording (called from handler threads) -------------------------------------
    def _record(self, kind: Kind, receiver: str, index: int, parsed: Parsed, body: Any) -> None:
        wall, mono = time.time(), time.monotonic()
        with self._cond:
            self._records.append(
                Notification(
                    seq=self._seq,
                    kind=kind,
                    receiver=receiver,
                    config_index=index,
                    received_at=wall,
                    received_monotonic=mono,
                    status=parsed.status,
                    alertnames=parsed.alertnames,
                    labels=parsed.labels,
                    alerts=parsed.alerts,
                    summary=parsed.summary,
                    dedup_key=parsed.dedup_key,
                    payload=body,
                )
            )
            self._seq += 1
            self._cond.notify_all()

    def _reject(self, path: str, reason: str) -> None:
        with self._cond:
            self._rejected.append({"path": path, "reason": reason, "received_at": time.time()})

    def _parse(self, kind: Kind, body: Any) -> Parsed:
        if kind == "pagerduty":
            return pagerduty.parse(body, self.alertnames)
        if kind == "slack":
            return slack.parse(body, self.alertnames)
        return webhook.parse(body)


def _redacted(node: Any) -> Any:
    """A copy with the values of secret fields replaced (a PagerDuty routing key)."""
    if isinstance(node, dict):
        return {k: REDACTED if k in _SECRET_FIELDS and isinstance(v, str) else _redacted(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_redacted(v) for v in node]
    return node


def _split_path(path: str) -> tuple[Kind, str, int] | None:
    parts = [p for p in urlsplit(path).path.split("/") if p]
    if len(parts) not in (2, 3) or parts[0] not in KINDS:
        return None
    index = 0
    if len(parts) == 3:
        if not parts[2].isdigit():
            return None
        index = int(parts[2])
    return cast(Kind, parts[0]), unquote(parts[1]), index


def _handler_for(capture: CaptureReceiver) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``capture`` (the server builds one per request)."""
    return type("Handler", (_Handler,), {"capture": capture})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "harness-capture/1"
    capture: CaptureReceiver  # set by _handler_for

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read records
        pass

    def _inbox_allowed(self) -> bool:
        token = self.capture.token
        given = self.headers.get("X-Fault-Token")
        if not token or (given is not None and hmac.compare_digest(given.encode(), token.encode())):
            return True
        self._send(401, b"the inbox needs the header X-Fault-Token", "text/plain")
        return False

    def do_GET(self) -> None:
        if urlsplit(self.path).path.rstrip("/") == "/inbox":
            if self._inbox_allowed():
                self._send(200, json.dumps(self.capture.inbox()).encode(), "application/json")
        elif self.path in ("/", "/-/healthy", "/-/ready"):
            self._send(200, b"ok", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path.rstrip("/") == "/inbox":
            if self._inbox_allowed():
                self.capture.clear()
                self._send(204, b"", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, _MAX_BODY))
        target = _split_path(self.path)
        if target is None:
            self.capture._reject(self.path, "unknown path")
            self._send(404, b"unknown receiver path", "text/plain")
            return
        kind, receiver, index = target
        try:
            body = json.loads(raw or b"null")
            parsed = self.capture._parse(kind, body)
        except (ValueError, PayloadError) as exc:  # JSONDecodeError is a ValueError
            self.capture._reject(self.path, str(exc))
            self._send(*_rejection(kind, str(exc)))
            return
        self.capture._record(kind, receiver, index, parsed, body)
        self._send(*_acceptance(kind, parsed))

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


Answer = tuple[int, bytes, str]  # status code, body, content type


def _acceptance(kind: Kind, parsed: Parsed) -> Answer:
    """What the real service answers to an accepted notification."""
    if kind == "pagerduty":
        answer = {"status": "success", "message": "Event processed", "dedup_key": parsed.dedup_key}
        return 202, json.dumps(answer).encode(), "application/json"
    if kind == "slack":
        return 200, b"ok", "text/plain"
    return 200, b"", "text/plain"


def _rejection(kind: Kind, message: str) -> Answer:
    """What the real service answers to a body it cannot take."""
    if kind == "pagerduty":
        body = {
            "status": "invalid event",
            "message": "Event object is invalid",
            "errors": [message],
        }
        return 400, json.dumps(body).encode(), "application/json"
    return 400, message.encode(), "text/plain"
