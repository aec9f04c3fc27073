"""The stack control: token, routing to the stack's hooks, clear refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from harness.errors import StackError
from harness.stack.control import StackControl


class RecordingStack:
    """Stands in for a stack: records hook calls (the HTTP layer is what is tested)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def service_names(self) -> tuple[str, ...]:
        return ("redis", "worker", "api", "database")

    def pids(self) -> dict[str, int]:
        return {"worker": 42}

    def pause(self, s: str) -> None:
        self.calls.append(("pause", s))

    def resume(self, s: str) -> None:
        self.calls.append(("resume", s))

    def kill(self, s: str) -> None:
        self.calls.append(("kill", s))

    def stop_service(self, s: str) -> None:
        self.calls.append(("stop", s))

    def start_service(self, s: str) -> None:
        if s == "api":
            raise StackError("The API is already running (pid 7).")
        self.calls.append(("start", s))


@pytest.fixture
def control() -> Iterator[tuple[StackControl, RecordingStack]]:
    stack = RecordingStack()
    with StackControl(stack, "secret") as ctl:  # type: ignore[arg-type]
        yield ctl, stack


def test_token_required(control: tuple[StackControl, RecordingStack]) -> None:
    ctl, stack = control
    assert httpx.post(f"{ctl.url}/services/worker/pause").status_code == 401
    wrong = {"X-Fault-Token": "nope"}
    assert httpx.post(f"{ctl.url}/services/worker/pause", headers=wrong).status_code == 401
    assert stack.calls == []


def test_actions_reach_the_stack(control: tuple[StackControl, RecordingStack]) -> None:
    ctl, stack = control
    headers = {"X-Fault-Token": "secret"}
    for action in ("pause", "resume", "kill", "start"):
        r = httpx.post(f"{ctl.url}/services/worker/{action}", headers=headers)
        assert r.status_code == 200, r.text
    assert httpx.post(f"{ctl.url}/services/redis/stop", headers=headers).status_code == 200
    assert stack.calls == [("pause", "worker"), ("resume", "worker"), ("kill", "worker"),
                           ("start", "worker"), ("stop", "redis")]
    listing = httpx.get(f"{ctl.url}/services", headers=headers).json()
    assert listing["services"] == ["redis", "worker", "api", "database"]


def test_refusals_say_why(control: tuple[StackControl, RecordingStack]) -> None:
    ctl, _ = control
    headers = {"X-Fault-Token": "secret"}
    r = httpx.post(f"{ctl.url}/services/workr/pause", headers=headers)
    assert r.status_code == 409 and "unknown service 'workr'" in r.json()["error"]
    r = httpx.post(f"{ctl.url}/services/worker/freeze", headers=headers)
    assert r.status_code == 409 and "unknown action 'freeze'" in r.json()["error"]
    r = httpx.post(f"{ctl.url}/services/api/start", headers=headers)
    assert r.status_code == 409 and "already running" in r.json()["error"]
