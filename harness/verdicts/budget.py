"""Budgets: what a scenario intends, on top of the windows a rule's own timing gives.

``fires: {within: 10m}`` and ``notifies: {within: 11m}`` bound the time from a phase's
start to the firing (detection) or to each receiver's first notification (time to
page). A window says when the rule *can* act; a budget says by when it *must*: a
``for: 30m`` makes a late firing on time for its window and still over its budget.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from harness.durations import format_duration
from harness.verdicts.verdict import Outcome, Verdict
from harness.verdicts.windows import SLACK, fmt_seconds


@dataclass(frozen=True)
class Budget:
    """At most ``production`` seconds (as written) after ``reference``; ``seconds`` is
    that divided by the time scale ``k``."""

    production: float
    k: float
    reference: str  # e.g. "'fault' started"
    slack: float = SLACK

    @property
    def seconds(self) -> float:
        return self.production / self.k

    def __str__(self) -> str:
        written = format_duration(self.production)
        scaled = f" ({fmt_seconds(self.seconds)} s at k={self.k:g})" if self.k != 1 else ""
        return f"{written}{scaled}"

    def to_dict(self) -> dict[str, object]:
        return {
            "within": format_duration(self.production),
            "seconds": self.seconds,
            "reference": self.reference,
        }


def within_budget(v: Verdict, budget: Budget | None, *, offset: float = 0.0) -> Verdict:
    """``v`` also judged against ``budget``; ``offset``: seconds from the budget's
    reference to the verdict's (FiredAt - phase start for a notification).

    Over budget fails (late) even when the rule's window holds the event; the message
    names both. A window that opens after the budget closes is said outright.
    """
    if budget is None:
        return v
    shown = f"budget {budget} after {budget.reference}"
    if v.observed is None:
        note = f"; {shown}"
        if v.window is not None and v.window.start + offset > budget.seconds + budget.slack:
            note += (
                f": the rule cannot meet it (its window opens "
                f"{fmt_seconds(v.window.start + offset)} s after {budget.reference})"
            )
        return replace(v, message=v.message + note, budget=budget)
    taken = v.observed + offset
    if taken <= budget.seconds + budget.slack:
        when = f"{fmt_seconds(taken)} s after {budget.reference}"
        note = f"; within its {shown} ({when})" if offset else f"; within its {shown}"
        return replace(v, message=v.message + note, budget=budget)
    over = f"over its {shown} by {fmt_seconds(taken - budget.seconds)} s"
    if offset:
        over += f" ({fmt_seconds(taken)} s after {budget.reference})"
    formula = v.window.formula if v.window is not None and v.window.formula else str(v.window)
    if v.passed:  # the rule's window holds it: say that the rule, not the stack, is slow
        note = (
            f"; but {over}: the rule's own timing (window = {formula}) allows it, "
            "the budget does not"
        )
    else:
        note = f"; {over}"
    return replace(v, outcome=Outcome.LATE, message=v.message + note, budget=budget)
