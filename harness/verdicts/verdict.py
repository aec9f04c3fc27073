"""Judge an observed instant against its window: early, on time, late, never.

All times are seconds after the expectation's reference instant (the phase's start
for ``fires``, its end for ``resolves``, FiredAt for a first notification, ...).
An expectation that does not hold is a failed verdict (exit code 1), not bad input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from harness.verdicts.windows import Window, fmt_seconds

if TYPE_CHECKING:
    from harness.verdicts.budget import Budget


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    NEVER = "never"  # the event did not happen before its window closed
    QUIET = "quiet"  # never_fires held
    FIRED = "fired"  # never_fires broken


PASSED = frozenset({Outcome.ON_TIME, Outcome.QUIET})


@dataclass(frozen=True)
class Verdict:
    """One expectation's result, with the numbers behind it."""

    expectation: str  # e.g. "HighErrorRate fires after 'fault'"
    outcome: Outcome
    message: str  # e.g. "HighErrorRate fired 41.2 s after 'fault' started; window ..."
    window: Window | None = None
    observed: float | None = None  # seconds after the reference instant
    reference: str = ""  # e.g. "'fault' started"
    budget: Budget | None = None  # the scenario's own bound (``within:``), if any

    @property
    def passed(self) -> bool:
        return self.outcome in PASSED


def classify(observed: float | None, window: Window) -> Outcome:
    """early / on_time / late for an observed instant, never for None."""
    if observed is None:
        return Outcome.NEVER
    return (Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE)[window.position(observed) + 1]


def judge(
    subject: str,
    event: str,
    observed: float | None,
    window: Window,
    *,
    reference: str,
    expectation: str | None = None,
    watched_until: float | None = None,
) -> Verdict:
    """The verdict for ``subject`` doing ``event`` at ``observed`` (s after ``reference``).

    ``judge("HighErrorRate", "fired", 41.2, w, reference="'fault' started")`` ->
    "HighErrorRate fired 41.2 s after 'fault' started; window [30.0, 32.5) s: late by 8.7 s".
    """
    outcome = classify(observed, window)
    if observed is None:
        until = (
            f" (watched until {fmt_seconds(watched_until)} s after {reference})"
            if watched_until is not None
            else f" after {reference}"
        )
        message = f"{subject} never {event}{until}; window {window}"
    else:
        when = f"{fmt_seconds(observed)} s after {reference}"
        message = f"{subject} {event} {when}; window {window}: "
        if outcome is Outcome.EARLY:
            message += f"early by {fmt_seconds(window.start - observed)} s"
        elif outcome is Outcome.LATE:
            message += f"late by {fmt_seconds(observed - window.end)} s"
        else:
            message += "on time"
    return Verdict(
        expectation=expectation or f"{subject} {event} within {window} after {reference}",
        outcome=outcome,
        message=message,
        window=window,
        observed=observed,
        reference=reference,
    )


def judge_never_fires(
    alert: str,
    firing: Iterable[tuple[float, float | None]],
    watch: tuple[float, float | None],
    *,
    reference: str,
    during: str = "the scenario",
    expectation: str | None = None,
) -> Verdict:
    """``never_fires``: failed if the alert was firing at any instant of ``watch``.

    ``firing`` holds (fired_at, resolved_at or None) spans and ``watch`` is
    [start, end or None) (None: still watching), all seconds after ``reference``. An
    alert already firing when the watch starts counts from the watch's start. Pending
    never counts: Prometheus does not send pending alerts. No slack: a firing that
    overlaps the watched interval at all is a firing during it.
    """
    start, end = watch
    hits = [
        max(start, fired)
        for fired, resolved in firing
        if (end is None or fired < end) and (resolved is None or resolved > start)
    ]
    shown = Window(start, end if end is not None else float("inf"), slack=0.0)
    text = expectation or f"{alert} never fires during {during}"
    if not hits:
        until = f"until {fmt_seconds(end)} s" if end is not None else "so far"
        message = (
            f"{alert} did not fire during {during} "
            f"(watched from {fmt_seconds(start)} s {until} after {reference})"
        )
        return Verdict(text, Outcome.QUIET, message, shown, None, reference)
    first = min(hits)
    message = (
        f"{alert} fired {fmt_seconds(first)} s after {reference}, during {during} "
        f"({shown}), where it must not fire"
    )
    return Verdict(text, Outcome.FIRED, message, shown, first, reference)
