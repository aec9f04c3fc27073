"""Fixtures for the receiver integration tests: a real Alertmanager per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from receivers_am import BINARY, Alertmanager


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[Callable[[str], Alertmanager]]:
    if shutil.which(BINARY) is None:
        pytest.skip(f"{BINARY} not installed (apt-get install prometheus-alertmanager)")
    started: list[Alertmanager] = []

    def start(config_text: str) -> Alertmanager:
        am = Alertmanager(config_text, tmp_path)
        started.append(am)  # registered before start: a failed start is still stopped
        am.start()
        return am

    yield start
    for am in started:
        am.stop()
