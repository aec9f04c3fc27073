"""FaultClient: the token goes in X-Fault-Token; each failure becomes one clear error."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from harness.load.errors import FaultControlError
from harness.load.fault_client import FaultClient

URL = "http://127.0.0.1:8000"


class FakeTarget:
    """Answers like harness.target.control: token check, merge, reset, 422 on bad input."""

    def __init__(self, token: str = "secret") -> None:
        self.token = token
        self.state: dict[str, Any] = {"errors": {"ratio": 0.0}}
        self.calls: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        if request.headers.get("X-Fault-Token") != self.token:
            return httpx.Response(401, json={"detail": "missing or wrong X-Fault-Token"})
        if request.url.path in ("/faults/backlog", "/faults/poison"):
            return httpx.Response(200, json=json.loads(request.content))
        if request.method == "PUT":
            patch = json.loads(request.content)
            if patch.get("errors", {}).get("ratio", 0) > 1:
                detail = [{"loc": ["body", "errors", "ratio"], "msg": "Input should be <= 1"}]
                return httpx.Response(422, json={"detail": detail})
            self.state = {**self.state, **patch}
        elif request.method == "DELETE":
            self.state = {"errors": {"ratio": 0.0}}
        return httpx.Response(200, json=self.state)


def _client(target: FakeTarget, token: str = "secret") -> FaultClient:
    return FaultClient(URL, token, transport=httpx.MockTransport(target))


def test_set_get_reset() -> None:
    target = FakeTarget()
    with _client(target) as faults:
        assert faults.set({"errors": {"ratio": 0.5}})["errors"]["ratio"] == 0.5
        assert faults.get()["errors"]["ratio"] == 0.5
        faults.reset()
        assert faults.get()["errors"]["ratio"] == 0.0
        assert faults.backlog("notifications", 50) == {"queue": "notifications", "jobs": 50}
        assert faults.backlog("reports", 5, job_type="x")["job_type"] == "x"
        assert faults.poison(20, rate=5.0) == {"events": 20, "event_type": "GradePosted",
                                               "rate": 5.0}
    assert target.calls[-1] == ("POST", "/faults/poison")


def test_wrong_token_is_a_clear_error() -> None:
    with pytest.raises(FaultControlError, match=r"refused the fault token \(401\)") as info:
        _client(FakeTarget(), token="wrong").get()
    assert info.value.status == 401
    assert "TARGET_FAULT_TOKEN" in str(info.value)


def test_validation_errors_are_spelled_out() -> None:
    with pytest.raises(FaultControlError, match=r"errors\.ratio: Input should be <= 1"):
        _client(FakeTarget()).set({"errors": {"ratio": 2}})


def test_not_the_target() -> None:
    client = FaultClient(URL, "t", transport=httpx.MockTransport(lambda r: httpx.Response(404)))
    with pytest.raises(FaultControlError, match="No fault control"):
        client.get()


def test_target_down() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(FaultControlError, match="did not answer: connection refused"):
        FaultClient(URL, "t", transport=httpx.MockTransport(refuse)).reset()


def test_applied_resets_on_every_way_out() -> None:
    target = FakeTarget()
    faults = _client(target)
    with pytest.raises(RuntimeError), faults.applied({"errors": {"ratio": 1.0}}) as state:
        assert state["errors"]["ratio"] == 1.0
        raise RuntimeError("scenario failed")
    assert target.state["errors"]["ratio"] == 0.0
    assert [m for m, _ in target.calls] == ["DELETE", "PUT", "DELETE"]
