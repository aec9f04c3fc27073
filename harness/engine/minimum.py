"""The shortest time a scenario could take: what the timing model makes unavoidable.

Per phase: a fixed phase lasts its (scaled) duration; an ``auto`` phase can end no
sooner than the earliest instant every expectation holding it open can be decided
(``harness.engine.phase_driver.holds``, the same rule the phase driver ends phases by).
Stack start-up is not part of it: the benchmark reports that as overhead.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.engine.phase_driver import holds, phase_budget
from harness.engine.plans import Plan
from harness.scenarios.model import Scenario


def minimum_seconds(scenario: Scenario, plans: Sequence[Plan], time_scale: float) -> float:
    total = 0.0
    for index, phase in enumerate(scenario.phases):
        if phase.duration != "auto":
            total += phase_budget(phase) / time_scale
        else:
            total += max((h.earliest for h in holds(scenario, index, plans)), default=0.0)
    return total
