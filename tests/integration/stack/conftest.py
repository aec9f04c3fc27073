"""Fixtures for stack tests."""

from __future__ import annotations

import sys

import pytest
from stack_helpers import FAKE_TARGET

import harness.stack.local.services as services


@pytest.fixture
def fake_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run tests/integration/stack/fake_target.py instead of harness.target.*."""
    for name in ("dbinit", "worker", "api"):
        command = [sys.executable, str(FAKE_TARGET), name]
        monkeypatch.setitem(services.TARGET_COMMANDS, name, command)
