"""The fault token guards fault injection and the stack control: random per run (never
a constant anyone can read in the source), overridable by HARNESS_FAULT_TOKEN, and the
same token guards the capture receiver's inbox under `harness up`."""

from __future__ import annotations

import pytest

from harness.stack.local.backend import LocalStack
from harness.stack.spec import StackSpec


def test_each_run_gets_its_own_random_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HARNESS_FAULT_TOKEN", raising=False)
    one, two = StackSpec().fault_token, StackSpec().fault_token
    assert one != two and len(one) >= 20 and "harness-fault-token" not in (one, two)


def test_the_environment_overrides_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_FAULT_TOKEN", "chosen-by-ci")
    assert StackSpec().fault_token == "chosen-by-ci"


def test_the_stack_own_receiver_inbox_needs_the_token() -> None:
    spec = StackSpec(fault_token="run-token")
    assert LocalStack(spec).receiver.token == "run-token"
