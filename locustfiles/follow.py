"""``FollowShape``: as many users as the harness says, for scenarios whose phases change
the load (a surge, a lull). The harness rewrites the JSON file named by
``HARNESS_LOAD_USERS`` (``{"users": N, "spawn_rate": R, "run_time": S}``) at each phase
boundary; Locust calls ``tick()`` once a second, so a change takes effect within a
second. Locust ignores ``--run-time`` while a shape runs, so the shape ends the run
itself after ``run_time`` seconds, or when the file says ``"stop": true`` (how the
harness stops it: Locust handles SIGTERM only after a headless shape has returned).
"""

from __future__ import annotations

import json
import logging
import os

from locust import LoadTestShape

log = logging.getLogger("harness.follow")
USERS_ENV = "HARNESS_LOAD_USERS"


class FollowShape(LoadTestShape):
    def __init__(self) -> None:
        super().__init__()
        self._last: tuple[int, float] | None = None
        self._run_time: float | None = None

    def tick(self) -> tuple[int, float] | None:
        path = os.environ.get(USERS_ENV)
        if not path:
            log.error("FollowShape: %s is not set; nothing to follow", USERS_ENV)
            return None
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if data.get("stop"):
                return None  # the harness ends the run: Locust shuts down and writes its stats
            wanted = (int(data["users"]), float(data["spawn_rate"]))
            self._run_time = float(data["run_time"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if self._last is None:
                log.error("FollowShape: cannot read %s: %s", path, exc)
                return None
            wanted = self._last  # keep the last good count; the file is rewritten atomically
        if self._run_time is not None and self.get_run_time() >= self._run_time:
            return None  # the run's time is up
        if wanted != self._last:
            log.info("FollowShape: %d users (spawn rate %g/s)", *wanted)
            self._last = wanted
        return wanted
