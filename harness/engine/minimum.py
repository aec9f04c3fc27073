"""The shortest time a scenario could take: what the timing model makes unavoidable.

Per phase: a fixed phase lasts its (scaled) duration; an ``auto`` phase can end no
sooner than the earliest instant its expectations can be decided (TIMING.md windows):
a firing at the window's early edge (plus group_wait when a notification must be seen),
a resolve at the resolve window's early edge, a ``never_fires`` only when its window has
closed. Stack start-up is not part of it: the benchmark reports that as overhead.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.engine.phases import phase_budget
from harness.engine.plans import Plan
from harness.scenarios.model import Scenario


def minimum_seconds(scenario: Scenario, plans: Sequence[Plan], time_scale: float) -> float:
    total = 0.0
    for index, phase in enumerate(scenario.phases):
        if phase.duration != "auto":
            total += phase_budget(phase) / time_scale
            continue
        prev = scenario.phases[index - 1].name if index else None
        earliest = 0.0
        for plan in plans:
            exp = plan.exp
            if exp.fires and exp.fires.after == phase.name:
                notify = max((w.start for w in plan.first_notification.values()), default=0.0)
                earliest = max(earliest, plan.fire.start + notify)
            if exp.never_fires is not None:
                during = exp.never_fires.during
                if during == phase.name or (during is None and phase.faults):
                    earliest = max(earliest, plan.fire.closes_at)
            if exp.resolves and prev is not None and exp.resolves.after == prev:
                earliest = max(earliest, plan.resolve.start)
        total += earliest
    return total
