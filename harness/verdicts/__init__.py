"""Verdicts: timing windows (TIMING.md), alert timelines from polls, and their judgement.

- ``windows``: when an alert may fire, resolve and notify, relative to a reference.
- ``timeline``: per-alert state transitions from ``/api/v1/alerts`` snapshots.
- ``verdict``: early / on time / late / never, and the failures that carry their timing.
"""

from harness.verdicts.timeline import (
    Notification,
    Timeline,
    Transition,
    attach_notification,
    firing_spans,
    first_firing_at,
    first_notification,
    first_pending_at,
    resolved_at,
    update_timeline,
    update_timelines,
)
from harness.verdicts.verdict import (
    ExpectationFailed,
    FiredWhenForbidden,
    NeverHappened,
    Outcome,
    TooEarly,
    TooLate,
    Verdict,
    classify,
    decided,
    judge,
    judge_never_fires,
)
from harness.verdicts.windows import (
    SLACK,
    RouteTiming,
    Window,
    aftermath,
    existing_group_window,
    firing_window,
    first_notification_window,
    repeat_notification_window,
    resolve_window,
    resolved_notification_window,
)

__all__ = [
    "SLACK",
    "ExpectationFailed",
    "FiredWhenForbidden",
    "NeverHappened",
    "Notification",
    "Outcome",
    "RouteTiming",
    "Timeline",
    "TooEarly",
    "TooLate",
    "Transition",
    "Verdict",
    "Window",
    "aftermath",
    "attach_notification",
    "classify",
    "decided",
    "existing_group_window",
    "firing_spans",
    "firing_window",
    "first_firing_at",
    "first_notification",
    "first_notification_window",
    "first_pending_at",
    "judge",
    "judge_never_fires",
    "repeat_notification_window",
    "resolve_window",
    "resolved_at",
    "resolved_notification_window",
    "update_timeline",
    "update_timelines",
]
