"""``PhaseShape``: load in phases (warm-up, steady, fault, recovery), faults switched at the
boundaries. Use it beside a locustfile::

    locust -f locustfiles/school.py,locustfiles/shapes.py --host http://127.0.0.1:8000

The plan comes from ``HARNESS_LOAD_PHASES`` (a JSON file the harness writes, or inline
JSON; schema in common/phases.py). Without it, the shape runs the built-in drill: warm-up
at half the users, steady, fault (the fault options of the form or command line), recovery,
lasting ``--drill-seconds`` (default 10,20,30,30). Each phase's start, and when its faults
took effect, go to the JSON-lines file ``HARNESS_LOAD_PHASE_LOG`` if set (the harness reads
it for fault windows) and to the log. Locust calls ``tick()`` once a second, so a
boundary takes effect up to 1 s after its nominal time: the log holds the real times.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from common import webui
from common.phases import Phase, Plan, PlanError, drill_plan, load_plan
from locust import LoadTestShape, events

log = logging.getLogger("harness.shape")
PHASES_ENV = "HARNESS_LOAD_PHASES"
PHASE_LOG_ENV = "HARNESS_LOAD_PHASE_LOG"


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    parser.add_argument(
        "--drill-seconds", type=str, default="10,20,30,30",
        help="PhaseShape drill without a plan file: seconds of warm-up, steady, fault, recovery",
        include_in_web_ui=True,
    )


class PhaseShape(LoadTestShape):
    manages_faults = True  # common.webui leaves the faults to this shape
    # The form's users and spawn rate stay visible: they size the drill (a plan sets its own).
    use_common_options = True

    def __init__(self) -> None:
        super().__init__()
        self._plan: Plan | None = None
        self._index = -1

    def reset_time(self) -> None:
        super().reset_time()
        self._plan, self._index = None, -1  # a new test (web UI) re-reads the plan

    def tick(self) -> tuple[int, float] | None:
        if self._plan is None:
            self._plan = self._load_plan()
            if self._plan is None:
                return None
        current = self._plan.at(self.get_run_time())
        if current is None:
            self._finish()
            return None
        index, phase = current
        if index != self._index:
            self._enter(index, phase)
        return phase.users, phase.spawn_rate

    def _load_plan(self) -> Plan | None:
        env = self.runner.environment if self.runner else None
        ctl = webui.controller(env) if env else None
        try:
            source = os.environ.get(PHASES_ENV)
            if source:
                return load_plan(source)
            opts = ctl.options() if ctl else {}
            seconds = [float(s) for s in str(opts.get("drill_seconds", "10,20,30,30")).split(",")]
            return drill_plan(
                int(opts.get("num_users") or 1),
                float(opts.get("spawn_rate") or 1),
                seconds,
                ctl.requested_state() if ctl else None,
            )
        except (PlanError, ValueError) as exc:
            message = f"PhaseShape: {exc}"
            if ctl:
                ctl.fail(message)
            else:
                log.error(message)
            return None

    def _enter(self, index: int, phase: Phase) -> None:
        assert self._plan is not None
        previous = self._plan.phases[self._index].faults if self._index >= 0 else None
        self._index = index
        mark: dict[str, Any] = {
            "index": index, "name": phase.name, "started_at": time.time(),
            "users": phase.users, "faults": phase.faults,
        }
        env = self.runner.environment if self.runner else None
        if env is not None and (phase.faults or previous) and phase.faults != previous:
            ctl = webui.controller(env)
            mark["faults_applied_at"] = ctl.apply(phase.faults, f"phase {phase.name}")
            if mark["faults_applied_at"] is None:
                mark["fault_error"] = "fault switch failed (see the Locust log)"
        log.info("phase %d %s: %d users, faults %s", index, phase.name, phase.users, phase.faults)
        _log_mark(mark)

    def _finish(self) -> None:
        if self._index >= 0 and self.runner is not None:
            webui.controller(self.runner.environment).reset("phases over")
            _log_mark({"index": self._index + 1, "name": "end", "started_at": time.time()})
            self._index = -1


def _log_mark(mark: dict[str, Any]) -> None:
    path = os.environ.get(PHASE_LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(mark) + "\n")
