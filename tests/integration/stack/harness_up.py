"""Run `harness ARGS...` with the stand-in target, for CLI tests: python harness_up.py up ..."""

from __future__ import annotations

import sys
from pathlib import Path

import harness.stack.local.plan as local_plan
from harness.cli.main import main

FAKE_TARGET = Path(__file__).with_name("fake_target.py")

if __name__ == "__main__":
    for name in ("dbinit", "worker", "api"):
        local_plan.TARGET_COMMANDS[name] = [sys.executable, str(FAKE_TARGET), name]
    main(sys.argv[1:])
