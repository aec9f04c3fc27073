"""The lifecycle both backends share, on a fake backend (no processes, no containers):
the start order, the first error stopping the other chains, the stop on every way out,
and the fault hooks' messages."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import StackError
from harness.stack.lifecycle import StackLifecycle
from harness.stack.services import SERVICE_NAMES
from harness.stack.spec import StackSpec
from harness.stack.wait import CallableWait, NotReady, WaitStrategy, WaitTarget, format_log_tail


def _never_ready() -> None:
    raise NotReady("not yet")


class _Handle:
    """A service handle whose readiness and life the test controls."""

    def __init__(self, name: str, events: list[str], ready: WaitStrategy | None) -> None:
        self.name, self.events = name, events
        self.alive = False
        # By default ready once launched.
        self.ready = ready or CallableWait(self._launched, name, timeout=5.0, poll_interval=0.001)

    def _launched(self) -> None:
        if not self.alive:
            raise NotReady("not launched")

    def poll(self) -> int | None:
        return None

    def describe_log(self, lines: int = 20) -> str:
        return format_log_tail(f"{self.name}.log", "", lines)

    def running(self) -> bool:
        return self.alive

    def pid(self) -> int | None:
        return 100 + SERVICE_NAMES.index(self.name) if self.alive else None

    def pause(self) -> None:
        self.events.append(f"pause {self.name}")

    def resume(self) -> None:
        self.events.append(f"resume {self.name}")

    def kill(self, timeout: float) -> None:
        self.alive = False

    def stop(self, timeout: float) -> None:
        self.alive = False

    def logs(self, max_bytes: int = 1_000_000) -> str:
        return f"{self.name} says hello"


class _Dbinit:
    name = "dbinit"

    def __init__(self, code: int) -> None:
        self.code = code

    def poll(self) -> int | None:
        return self.code

    def describe_log(self, lines: int = 20) -> str:
        return format_log_tail("dbinit.log", "no such table: jobs", lines)


class _FakeStack(StackLifecycle):
    kind = "fake stack"

    def __init__(
        self, spec: StackSpec, *, dbinit_code: int = 0, ready: dict[str, WaitStrategy]
    ) -> None:
        super().__init__(spec)
        self.events: list[str] = []
        self.dbinit_code = dbinit_code
        self.ready = ready

    def _prepare(self) -> None:
        self.events.append("prepare")

    def _plan(self, receiver_url: str) -> None:
        for name in SERVICE_NAMES:
            handle = _Handle(name, self.events, self.ready.get(name))
            self._handles[name] = handle

    def _launch_service(self, name: str) -> None:
        self._refuse_if_cancelled(name)
        handle = self._handles[name]
        assert isinstance(handle, _Handle)
        handle.alive = True
        self.events.append(f"launch {name}")

    def _launch_dbinit(self) -> WaitTarget:
        self.events.append("launch dbinit")
        return _Dbinit(self.dbinit_code)

    def _stop_services(self) -> None:
        self.events.append("stop")


def _spec(tmp_path: Path) -> StackSpec:
    return StackSpec(state_dir=tmp_path)


def test_start_order_and_one_stop(tmp_path: Path) -> None:
    with _FakeStack(_spec(tmp_path), ready={}) as stack:
        assert stack.endpoints.api.startswith("http://127.0.0.1:")
        assert stack.startup_seconds is not None
    events = stack.events
    assert events[0] == "prepare" and events[-1] == "stop" and events.count("stop") == 1

    def at(event: str) -> int:
        return events.index(event)

    assert at("launch dbinit") < at("launch worker") and at("launch redis") < at("launch api")
    assert at("launch alertmanager") < at("launch prometheus")
    stack.down()  # idempotent
    assert stack.events.count("stop") == 1


def test_failed_dbinit_stops_everything_and_shows_its_log(tmp_path: Path) -> None:
    stack = _FakeStack(_spec(tmp_path), dbinit_code=3, ready={})
    with pytest.raises(StackError) as info:
        stack.up()
    message = str(info.value)
    assert "Database init (python -m harness.target.dbinit) failed with exit code 3." in message
    assert "no such table: jobs" in message
    assert "launch worker" not in stack.events and stack.events[-1] == "stop"


def test_first_error_stops_the_other_chains_waits(tmp_path: Path) -> None:
    ready: dict[str, WaitStrategy] = {
        "alertmanager": CallableWait(_never_ready, "am", timeout=0.2, poll_interval=0.01),
        "redis": CallableWait(_never_ready, "redis", timeout=30.0, poll_interval=0.01),
    }
    stack = _FakeStack(_spec(tmp_path), ready=ready)
    started = time.monotonic()
    with pytest.raises(StackError, match=r"Alertmanager not ready within 0\.2 s"):
        stack.up()
    assert time.monotonic() - started < 5.0  # the Redis wait (30 s) saw the cancel
    assert "launch prometheus" not in stack.events and stack.events[-1] == "stop"


def test_fault_hooks_name_the_service_and_the_problem(tmp_path: Path) -> None:
    with _FakeStack(_spec(tmp_path), ready={}) as stack:
        assert stack.pids()["api"] == 102 and "database" in stack.service_names()
        with pytest.raises(StackError, match="Target API is already running \\(pid 102\\)"):
            stack.start_service("api")
        with pytest.raises(StackError, match="Unknown service 'grafana'; the fake stack has"):
            stack.pause("grafana")
        with pytest.raises(StackError, match="The database is not a process of the stack"):
            stack.kill("database")
        stack.kill("worker")
        assert "worker" not in stack.pids()
        with pytest.raises(StackError, match="Target worker is not running"):
            stack.pause("worker")
        stack.start_service("worker")
        stack.pause("worker")
        assert stack.events[-2:] == ["launch worker", "pause worker"]
        assert stack.log_text("redis") == "redis says hello"
    with pytest.raises(StackError, match="not up"):
        stack.log_text("redis")


def test_a_kept_run_dir_keeps_no_rendered_alertmanager_config(tmp_path: Path) -> None:
    """The rendered alertmanager.yml holds real keys: removed on every way out, even
    from a run directory kept on purpose."""
    spec = replace(_spec(tmp_path), keep_run_dir=True)
    with _FakeStack(spec, ready={}) as stack:
        run_dir = stack.endpoints.run_dir
        config = run_dir / "alertmanager" / "alertmanager.yml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("routing_key: real-key\n")
    assert run_dir.is_dir() and not config.exists()
