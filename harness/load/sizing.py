"""How much load a scaled window needs (docs/TIMING.md, "Time scale"), and how much is too much.

A rate window W holds about ``rate * W`` requests; an observed error ratio over n of them
scatters around the true ratio p with standard deviation sqrt(p(1-p)/n). A boundary
scenario is reliable only when that scatter stays well inside the gap to the threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from harness.errors import InputError

# docs/LOAD.md, measured here: one uvicorn worker serves a minimal endpoint at about 3.8k req/s.
CEILING_RPS = 3800.0
# Alert scenarios share 2 cores with Prometheus, Alertmanager and Locust: stay far below.
HEADROOM = 0.25


@dataclass(frozen=True)
class LoadPlan:
    events: int  # requests each window must hold
    rate: float  # requests per second
    users: int  # Locust users at the given think time


def min_events(ratio: float, threshold: float, z: float = 4.0) -> int:
    """Requests per window so an observed ratio (true ``ratio``) stays on its side of
    ``threshold`` with ``z`` standard deviations of margin."""
    if not (0.0 <= ratio <= 1.0 and 0.0 <= threshold <= 1.0):
        raise InputError(f"ratio and threshold must be within 0-1, got {ratio}, {threshold}.")
    gap = abs(ratio - threshold)
    if gap == 0:
        raise InputError(f"ratio {ratio} equals the threshold: no load can separate them.")
    variance = max(ratio * (1 - ratio), 1e-6)
    return max(1, math.ceil(z * z * variance / (gap * gap)))


def users_for_rate(rate: float, think_time: float, requests_per_task: float = 1.0) -> int:
    """Users that produce ``rate`` req/s when each waits ``think_time`` s between tasks."""
    if rate <= 0 or think_time <= 0 or requests_per_task <= 0:
        raise InputError("rate, think_time and requests_per_task must be > 0.")
    return max(1, math.ceil(rate * think_time / requests_per_task))


def check_headroom(rate: float, ceiling: float = CEILING_RPS, headroom: float = HEADROOM) -> None:
    if rate > ceiling * headroom:
        raise InputError(
            f"{rate:.0f} req/s is above {headroom:.0%} of the target's ceiling "
            f"({ceiling:.0f} req/s): on 2 cores that starves Prometheus and the verdicts.",
            hint="lower the time scale (longer windows hold more requests at a lower rate), "
            "or move the ratio further from the threshold",
        )


def plan_for_ratio(
    ratio: float,
    threshold: float,
    window_s: float,
    *,
    think_time: float = 1.0,
    requests_per_task: float = 1.0,
    z: float = 4.0,
) -> LoadPlan:
    """Load for a ratio scenario over a (scaled) window of ``window_s`` seconds."""
    if window_s <= 0:
        raise InputError(f"window must be > 0 s, got {window_s}.")
    events = min_events(ratio, threshold, z)
    rate = events / window_s
    check_headroom(rate)
    return LoadPlan(events, rate, users_for_rate(rate, think_time, requests_per_task))
