"""Process-level faults from a Locust run: freeze or kill the worker, stop Redis or the
database, for the length of a test.

`harness up` serves a stack control (``HARNESS_STACK_CONTROL``, printed at start-up);
``--fault-process`` in the web UI form picks the fault, applied at test start and undone
at test stop. Standard library HTTP only (gevent has patched sockets under Locust).
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from typing import Any

import gevent
from locust import events
from locust.env import Environment
from locust.runners import WorkerRunner

from common.switch import TOKEN_HEADER, is_loopback

log = logging.getLogger("harness.faults")
CONTROL_ENV = "HARNESS_STACK_CONTROL"
# fault -> (service, action to start it, action to end it)
PROCESS_FAULTS: dict[str, tuple[str, str, str]] = {
    "worker_frozen": ("worker", "pause", "resume"),
    "worker_dead": ("worker", "kill", "start"),
    "redis_down": ("redis", "stop", "start"),
    "database_down": ("database", "stop", "start"),
}
_active: dict[int, tuple[str, str, str]] = {}


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    parser.add_argument(
        "--fault-process", type=str, default="none",
        choices=["none", *PROCESS_FAULTS],
        help="Process-level fault for the test's length (needs `harness up`'s stack control)",
        include_in_web_ui=True,
    )
    parser.add_argument(
        "--stack-control-url", type=str, default=os.environ.get(CONTROL_ENV, ""),
        help=f"`harness up`'s stack control URL (default ${CONTROL_ENV})",
        include_in_web_ui=True,
    )


def _call(environment: Environment, service: str, action: str) -> None:
    opts = vars(environment.parsed_options) if environment.parsed_options else {}
    base = opts.get("stack_control_url") or os.environ.get(CONTROL_ENV, "")
    if not base or not is_loopback(base):
        raise RuntimeError(f"no loopback stack control URL (--stack-control-url or ${CONTROL_ENV})")
    token = opts.get("fault_token") or os.environ.get("HARNESS_FAULT_TOKEN", "")
    url = f"{base.rstrip('/')}/services/{service}/{action}"
    request = urllib.request.Request(url, data=b"", method="POST")
    request.add_header(TOKEN_HEADER, token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = json.loads(exc.read() or b"{}").get("error", exc.reason)
        raise RuntimeError(f"POST {url} failed ({exc.code}): {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"POST {url} did not answer: {getattr(exc, 'reason', exc)}") from None


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or environment.parsed_options is None:
        return
    fault = getattr(environment.parsed_options, "fault_process", "none")
    if fault == "none":
        return
    service, start, end = PROCESS_FAULTS[fault]
    try:
        _call(environment, service, start)
    except RuntimeError as exc:
        log.error("could not apply %s: %s", fault, exc)
        if environment.runner is not None:
            environment.runner.log_exception("local", str(exc), str(exc))
            gevent.spawn(environment.runner.stop)  # a fault test without its fault stops
        return
    _active[id(environment)] = (fault, service, end)
    log.info("process fault on: %s", fault)


def _undo(environment: Environment, **_: Any) -> None:
    active = _active.pop(id(environment), None)
    if active is None:
        return
    fault, service, end = active
    try:
        _call(environment, service, end)
        log.info("process fault off: %s", fault)
    except RuntimeError as exc:
        log.error("could not undo %s: %s", fault, exc)


events.test_stop.add_listener(_undo)
events.quitting.add_listener(_undo)
