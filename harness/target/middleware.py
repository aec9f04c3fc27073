"""HTTP metrics, request log context and HTTP faults in one pure ASGI middleware.

A pure ASGI middleware costs about 1.1-1.25x the server's CPU per request where
``@app.middleware("http")`` costs 2.5x (docs/ARCHITECTURE.md), so this stays a plain callable.

Labels follow the spec's Express middleware: route is the route template
(``/api/students/{id}``), 'unknown' when no route matches; status_code is a string;
tenant_id comes from ``X-Tenant-Id`` or is 'anonymous'. The route is found before
the request runs (the app's own routes, matched as Starlette's router does), so
http_active_requests is incremented and decremented with the same labels.

Control-plane paths (/metrics, /health, /faults...) are not measured: a scrape every
second or a health probe would dilute the request and error ratios the alerts use.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from harness.target.fault_state import Faults
from harness.target.logs import request_context
from harness.target.metrics import TargetMetrics

log = logging.getLogger("harness.target.http")

EXCLUDED_PREFIXES = ("/metrics", "/health", "/faults", "/admin")
# Exception handlers put the cause of a 5xx here; the request's log line carries it.
ERROR_KEY = "harness.error"
_ids = itertools.count(1)
_PID = f"{os.getpid():x}"


class RouteTable:
    """The app's routes as (regex, methods, template); exact paths in a dict."""

    def __init__(self, routes: list[Any]) -> None:
        self.static: dict[str, list[tuple[frozenset[str] | None, str]]] = {}
        self.dynamic: list[tuple[re.Pattern[str], frozenset[str] | None, str]] = []
        for route in routes:
            regex = getattr(route, "path_regex", None)
            template = getattr(route, "path_format", None)
            if regex is None or template is None:
                continue
            methods = getattr(route, "methods", None)
            entry = (frozenset(methods) if methods else None, template)
            if getattr(route, "param_convertors", None):
                self.dynamic.append((regex, entry[0], template))
            else:
                self.static.setdefault(template, []).append(entry)

    def match(self, method: str, path: str) -> str:
        """Template of the route that serves (method, path): full match first, then partial."""
        partial = None
        for methods, template in self.static.get(path, ()):
            if methods is None or method in methods:
                return template
            partial = partial or template
        for regex, methods, template in self.dynamic:
            if regex.match(path):
                if methods is None or method in methods:
                    return template
                partial = partial or template
        return partial or "unknown"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: TargetMetrics, faults: Faults | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.faults = faults
        self._table: RouteTable | None = None

    def _route(self, scope: Scope, path: str) -> str:
        if self._table is None:
            self._table = RouteTable(list(scope["app"].routes))
        return self._table.match(scope["method"], path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        if path.startswith(EXCLUDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        route = self._route(scope, path)
        tenant = user = request_id = None
        for key, value in scope["headers"]:
            if key == b"x-tenant-id":
                tenant = value.decode("latin-1")
            elif key == b"x-user-id":
                user = value.decode("latin-1")
            elif key == b"x-request-id":
                request_id = value.decode("latin-1")
        ctx_token = request_context.set(
            (request_id or f"{_PID}-{next(_ids):x}", user, tenant, method, path)
        )
        status = 500
        active = self.metrics.http_active_requests.labels(method, route)
        active.inc()
        start = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            faults = self.faults
            if (
                faults is None
                or not faults.http_active
                or not await _inject(faults, route, scope, send_status)
            ):
                await self.app(scope, receive, send_status)
        finally:
            active.dec()
            elapsed = time.perf_counter() - start
            code = str(status)
            m = self.metrics
            m.http_requests.labels(method, route, code, tenant or "anonymous").inc()
            m.http_request_duration.labels(method, route, code).observe(elapsed)
            if status >= 500:
                log.error(
                    "request failed", extra={"fields": _fields(route, status, elapsed, scope)}
                )
            elif log.isEnabledFor(logging.DEBUG):
                log.debug("request", extra={"fields": _fields(route, status, elapsed, scope)})
            request_context.reset(ctx_token)


def _fields(route: str, status: int, elapsed: float, scope: Scope) -> dict[str, Any]:
    return {
        "route": route,
        "status_code": status,
        "duration": round(elapsed * 1000, 1),  # ms, as the spec's LogQL expects
        "error": scope.get(ERROR_KEY),
    }


def note_error(scope: Scope, message: str) -> None:
    """Record why a request failed, for its 'request failed' log line."""
    scope[ERROR_KEY] = message


async def _inject(faults: Faults, route: str, scope: Scope, send: Send) -> bool:
    """Apply the latency and error faults; True when an error response was sent."""
    delay = faults.http_delay(route)
    if delay > 0:
        await asyncio.sleep(delay)
    status = faults.http_error(route)
    if status is None:
        return False
    body = json.dumps({"error": "injected fault", "status": status}).encode()
    note_error(scope, "injected fault")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
    return True
