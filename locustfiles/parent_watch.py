"""Parent watchdog, added to every Locust run the harness starts: Locust stops within
seconds once the harness that started it is gone (SIGKILLed, crashed), even if no later
run sweeps it. ``HARNESS_PARENT`` holds ``<pid>:<start ticks>`` of the harness
(``harness.process_start``); a pid that is gone, a zombie, or now another process (its
start differs) means gone.
Without the variable (Locust started by hand) it does nothing.
"""

from __future__ import annotations

import logging
import os

import gevent

from harness.process_start import is_same_process

log = logging.getLogger("harness.parent_watch")
PARENT_ENV = "HARNESS_PARENT"
INTERVAL_S = 1.0
EXIT_PARENT_GONE = 75  # EX_TEMPFAIL: told apart from Locust's own codes


def parent_alive(value: str) -> bool:
    pid, _, started = value.partition(":")
    if not pid.isdigit():
        return False
    return is_same_process(int(pid), int(started) if started.isdigit() else None)


def _watch(value: str) -> None:
    while parent_alive(value):
        gevent.sleep(INTERVAL_S)
    log.error("harness (pid %s) is gone: stopping this Locust", value.partition(":")[0])
    logging.shutdown()
    os._exit(EXIT_PARENT_GONE)  # nobody is left to read statistics


# Started on import (Locust imports every -f file first): a worker's init event only
# fires once its master answered, and a master may be gone already.
if os.environ.get(PARENT_ENV):
    gevent.spawn(_watch, os.environ[PARENT_ENV])
