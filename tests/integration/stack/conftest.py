"""Fixtures for stack tests."""

from __future__ import annotations

import sys

import pytest
from stack_helpers import FAKE_TARGET

import harness.stack.local.plan as local_plan


@pytest.fixture
def fake_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run tests/integration/stack/fake_target.py instead of harness.target.*."""
    for name in ("dbinit", "worker", "api"):
        command = [sys.executable, str(FAKE_TARGET), name]
        monkeypatch.setitem(local_plan.TARGET_COMMANDS, name, command)
