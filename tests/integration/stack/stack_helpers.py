"""Helpers for stack tests (imported by the tests and conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import psutil

from tests.support.poll import wait_until

FAKE_TARGET = Path(__file__).with_name("fake_target.py")
HARNESS_UP = Path(__file__).with_name("harness_up.py")


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    wait_until(predicate, what=what, timeout=timeout, interval=0.02, transient=())


def processes_under(root: Path) -> list[psutil.Process]:
    """Live processes whose command line or working directory mentions ``root``."""
    found = []
    text = str(root)
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if any(text in arg for arg in proc.cmdline()) or proc.cwd().startswith(text):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
