"""Fault controls in Locust's command line and web UI form, held for the length of a test.

Importing this module registers (once per process):

- options ``--fault-token``, ``--fault-url`` and ``common.faultspec.FAULT_OPTIONS``, shown
  in the web UI's start form (``include_in_web_ui``; the token as a password field);
- ``test_start``: if the options ask for a fault, reset the target's faults and apply it;
- ``test_stop`` / ``quitting``: reset the faults this process applied.

Only the process that leads the test (local or master runner) switches faults, never a
worker. A shape that manages faults itself (``manages_faults = True``) gets the same
controller through ``controller(environment)``. A failed switch is logged, recorded as a
Locust exception (so the run's exit code says so) and stops the test: a fault test
without its fault must not look like a pass.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import Any

import gevent
from locust import events
from locust.env import Environment
from locust.runners import WorkerRunner

from common.faultspec import FAULT_OPTIONS, fault_state
from common.switch import FaultSwitch, FaultSwitchError

log = logging.getLogger("harness.faults")
TOKEN_ENV = "HARNESS_FAULT_TOKEN"


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    parser.add_argument(
        "--fault-token", type=str, default=os.environ.get(TOKEN_ENV, ""),
        help=f"Fault control token of the target (X-Fault-Token; default ${TOKEN_ENV})",
        include_in_web_ui=True, is_secret=True,
    )
    parser.add_argument(
        "--fault-url", type=str, default="",
        help="Base URL of the fault control (default: the host under test)",
        include_in_web_ui=True,
    )
    for opt in FAULT_OPTIONS:
        parser.add_argument(
            opt.flag, type=opt.type, default=opt.default, help=opt.help,
            choices=list(opt.choices) if opt.choices else None, include_in_web_ui=True,
        )


class FaultController:
    """Switches the target's faults for one Locust environment and remembers if it did."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.active = False

    def leads(self) -> bool:
        return not isinstance(self.environment.runner, WorkerRunner)

    def options(self) -> dict[str, Any]:
        opts = self.environment.parsed_options
        return vars(opts) if opts is not None else {}

    def requested_state(self) -> dict[str, Any]:
        return fault_state(self.options())

    def _switch(self) -> FaultSwitch:
        opts = self.options()
        base = opts.get("fault_url") or self.environment.host or ""
        return FaultSwitch(base, opts.get("fault_token") or os.environ.get(TOKEN_ENV, ""))

    def apply(self, state: Mapping[str, Any] | None, why: str) -> float | None:
        """Replace the faults with ``state``; the epoch time it took effect, None on failure."""
        try:
            self._switch().apply(state)
        except (FaultSwitchError, ValueError) as exc:
            self.fail(f"could not apply faults ({why}): {exc}")
            return None
        self.active = bool(state)
        log.info("faults %s (%s)", state or "reset", why)
        return time.time()

    def reset(self, why: str) -> None:
        if not self.active:
            return
        try:
            self._switch().reset()
        except FaultSwitchError as exc:
            log.error("could not reset faults (%s): %s", why, exc)
            return
        self.active = False
        log.info("faults reset (%s)", why)

    def fail(self, message: str) -> None:
        log.error(message)
        runner = self.environment.runner
        if runner is not None:
            runner.log_exception("local", message, message)
            gevent.spawn(runner.stop)


_controllers: dict[int, FaultController] = {}


def controller(environment: Environment) -> FaultController:
    return _controllers.setdefault(id(environment), FaultController(environment))


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    ctl = controller(environment)
    if not ctl.leads() or getattr(environment.shape_class, "manages_faults", False):
        return
    try:
        state = ctl.requested_state()
    except ValueError as exc:
        ctl.fail(f"invalid fault option: {exc}")
        return
    if state:
        ctl.apply(state, "test start")


@events.test_stop.add_listener
def _on_test_stop(environment: Environment, **_: Any) -> None:
    controller(environment).reset("test stop")


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: Any) -> None:
    controller(environment).reset("quitting")
