"""Alert rules as the harness sees them: what a rule file says, with where it says it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule of a rule file (durations in seconds, as written, before scaling)."""

    name: str
    expr: str
    group: str
    source: Path
    line: int  # line of the rule's `alert:` key, 1-based
    for_s: float = 0.0
    keep_firing_for_s: float = 0.0
    group_interval_s: float | None = None  # the group's `interval:`; None: the global one
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    # Longest range window ([5m], subquery range) in the expression, seconds; 0 if none.
    max_range_s: float = 0.0
    # True if the expression uses rate/increase/irate/delta/*_over_time over a range:
    # the condition itself can lag the fault by up to the window (TIMING.md, "Rate condition").
    uses_range: bool = False
