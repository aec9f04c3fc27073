"""Drive a scenario's phases: faults on at a phase's start, off at its end, and
``duration: auto`` phases that end as soon as every expectation on them is decided.

Decided means: the alert (and its notifications) happened, or its window closed
(docs/TIMING.md windows, ``harness.engine.plans``). Nothing here sleeps a guessed time:
the loop waits on the observer's polls, bounded by the phase's scaled ``max``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from harness.engine.fault_injection import FaultApplier
from harness.engine.observer import Observer
from harness.engine.plans import Plan
from harness.engine.result import PhaseMark
from harness.receivers.capture import CaptureReceiver
from harness.scenarios.model import Phase, Scenario

TICK = 0.1  # how often an `auto` phase re-checks its expectations


def phase_budget(phase: Phase) -> float:
    """A phase's longest possible length, production seconds."""
    if phase.duration == "auto":
        return phase.max or 0.0
    return float(phase.duration)


@dataclass(frozen=True)
class Hold:
    """An expectation that keeps an ``auto`` phase open until it is decided: its alert
    firing after the phase, never firing during it, or resolving after the one before."""

    kind: Literal["fires", "never_fires", "resolves"]
    plan: Plan

    @property
    def earliest(self) -> float:
        """The soonest it can be decided, seconds after the phase starts: a firing at its
        window's early edge (plus the first notification's when one must be seen), a
        resolve at its window's early edge, a ``never_fires`` when its window closes."""
        if self.kind == "fires":
            notify = max((w.start for w in self.plan.first_notification.values()), default=0.0)
            return self.plan.fire.start + notify
        if self.kind == "never_fires":
            return self.plan.fire.closes_at
        return self.plan.resolve.start


def holds(scenario: Scenario, index: int, plans: Sequence[Plan]) -> list[Hold]:
    """The expectations that keep phase ``index`` open (when it is ``auto``)."""
    phase = scenario.phases[index]
    prev = scenario.phases[index - 1].name if index else None
    out: list[Hold] = []
    for plan in plans:
        exp = plan.exp
        if exp.fires and exp.fires.after == phase.name:
            out.append(Hold("fires", plan))
        if exp.never_fires is not None:
            during = exp.never_fires.during
            if during == phase.name or (during is None and phase.faults):
                out.append(Hold("never_fires", plan))
        if exp.resolves and prev is not None and exp.resolves.after == prev:
            out.append(Hold("resolves", plan))
    return out


class PhaseDriver:
    def __init__(
        self,
        scenario: Scenario,
        plans: Sequence[Plan],
        time_scale: float,
        faults: FaultApplier,
        observer: Observer,
        receiver: CaptureReceiver,
        *,
        cancel: threading.Event | None = None,
        on_phase: Callable[[Phase, float], None] | None = None,
        on_enter: Callable[[Phase], None] | None = None,
    ) -> None:
        """``on_enter(phase)`` runs at each boundary before the phase's faults (the
        phase's load); ``on_phase(phase, deadline)`` after them (progress)."""
        self.scenario = scenario
        self.plans = list(plans)
        self.k = time_scale
        self.faults = faults
        self.observer = observer
        self.receiver = receiver
        self.cancel = cancel or threading.Event()
        self.on_phase = on_phase
        self.on_enter = on_enter
        self.marks: dict[str, PhaseMark] = {}
        self._resolved_seen: dict[int, float] = {}  # plan -> first check that saw it resolved

    def run(self) -> list[PhaseMark]:
        for index, phase in enumerate(self.scenario.phases):
            if self.on_enter:
                self.on_enter(phase)
            switching = time.time()
            self.faults.apply(phase.faults)
            start = time.time()
            try:
                deadline = start + phase_budget(phase) / self.k
                if self.on_phase:
                    self.on_phase(phase, deadline)
                while not self.cancel.is_set():
                    now = time.time()
                    if now >= deadline:
                        break
                    if phase.duration == "auto" and self._decided(index, start, now):
                        break
                    self.cancel.wait(min(TICK, deadline - now))
            finally:
                stopping = time.time()
                self.faults.revert()
                end = time.time()
                self.marks[phase.name] = PhaseMark(
                    phase.name,
                    start,
                    end,
                    tuple(f.model_dump() for f in phase.faults),
                    faults_on_s=start - switching,
                    faults_off_s=end - stopping,
                )
            if self.cancel.is_set():
                raise KeyboardInterrupt
        return list(self.marks.values())

    # -- when may an `auto` phase end? ------------------------------------------------
    def _decided(self, index: int, start: float, now: float) -> bool:
        obs = self.observer.snapshot()
        for hold in holds(self.scenario, index, self.plans):
            plan, exp = hold.plan, hold.plan.exp
            if hold.kind == "fires":
                fired = obs.first_seen(exp.alert, "firing", exp.labels, since=start - 1)
                if fired is None:
                    if now < start + plan.fire.closes_at:
                        return False
                elif not self._notified(plan, fired, now, "firing"):
                    return False
            elif hold.kind == "never_fires":
                if now < start + plan.fire.closes_at:
                    return False
            elif obs.states(exp.alert, exp.labels) == "firing":  # resolves, still firing
                assert exp.resolves is not None
                if now < self.marks[exp.resolves.after].end + plan.resolve.closes_at:
                    return False
            elif exp.notifies and exp.notifies.resolved:
                seen = self._resolved_seen.setdefault(id(plan), now)
                if not self._notified(plan, seen, now, "resolved"):
                    return False
        return True

    def _notified(self, plan: Plan, since: float, now: float, status: str) -> bool:
        """Every expected receiver got a `status` notification, or its window closed."""
        if plan.exp.notifies is None:
            return True
        windows = plan.first_notification if status == "firing" else plan.resolved_notification
        got = {
            n.receiver
            for n in self.receiver.notifications()
            if plan.exp.alert in n.alertnames and n.status == status and plan.carried_by(n)
        }
        for receiver in plan.exp.notifies.receivers:
            if receiver not in got and now < since + windows[receiver].closes_at:
                return False
        return True
