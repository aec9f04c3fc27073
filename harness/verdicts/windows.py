"""When may an alert fire, resolve and notify? Window arithmetic from docs/TIMING.md.

Pure functions, seconds, every window relative to a reference instant the caller
names (t0: the fault started; t1: it stopped; FiredAt; ResolvedAt). The caller passes
the rule and intervals the stack really runs, *after* time scaling (``for_s``,
``max_range_s``, group interval, S, E, GW, GI, RI all divided by k).

Notation (docs/TIMING.md, "Notation"): S scrape interval, E evaluation interval (the rule
group's own ``interval:``, else the global one), F ``for:``, K ``keep_firing_for:``,
W the longest range window, GW/GI/RI Alertmanager's group_wait / group_interval /
repeat_interval (timers of ``harness.receivers.routes.Route``, Alertmanager's defaults
there), F* = ceil(F/E)*E, K* = ceil(K/E)*E.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from harness.receivers.routes import Route
from harness.rules.model import AlertRule
from harness.stack.spec import Intervals

# Tolerance for process and HTTP latency, applied to both edges of every window.
# Alertmanager's own acceptance tests allow 150 ms on an idle machine (and up to 2 s in
# cluster tests). This harness runs Locust and the target on the same 2 cores, where
# scheduling alone delays a timer or an HTTP hop by a few hundred ms, and t0 is taken
# from the harness's clock around the fault switch. 0.5 s covers that, and stays below
# E and S of scaled runs (1 s by default): a missed evaluation still shows as late.
SLACK = 0.5

_EPS = 1e-9  # float noise in F/E after scaling (e.g. 300/60 / 0.1)


@dataclass(frozen=True)
class Window:
    """The nominal interval in which an event must happen, seconds after a reference.

    ``slack`` widens both edges when judging (``position``) but not when printing: a
    message shows the nominal window the formula gives. ``formula`` says where it came
    from, for reports.
    """

    start: float
    end: float
    closed_start: bool = True
    closed_end: bool = False
    slack: float = SLACK
    formula: str = ""

    def position(self, t: float) -> int:
        """-1 early, 0 inside (with slack), 1 late."""
        lo, hi = self.start - self.slack, self.end + self.slack
        if t < lo or (t == lo and not self.closed_start):
            return -1
        if t > hi or (t == hi and not self.closed_end):
            return 1
        return 0

    def contains(self, t: float) -> bool:
        return self.position(t) == 0

    @property
    def closes_at(self) -> float:
        """After this instant an event that has not happened is ``never``."""
        return self.end + self.slack

    def shift(self, by: float) -> Window:
        """The same window relative to a reference ``by`` seconds earlier."""
        return replace(self, start=self.start + by, end=self.end + by)

    def later(self, seconds: float, why: str) -> Window:
        """The window with its late edge ``seconds`` later, the reason in its formula."""
        if seconds <= 0:
            return self
        formula = f"{self.formula} + {why} {fmt_seconds(seconds)} s" if self.formula else ""
        return replace(self, end=self.end + seconds, formula=formula)

    def earlier(self, seconds: float, why: str) -> Window:
        """The window with its early edge ``seconds`` earlier, the reason in its formula."""
        if seconds <= 0:
            return self
        formula = (
            f"{self.formula}, early edge - {why} {fmt_seconds(seconds)} s" if self.formula else ""
        )
        return replace(self, start=self.start - seconds, formula=formula)

    def plus(self, other: Window) -> Window:
        """Window of ``a + b`` for a in self and b in other (e.g. fire, then notify)."""
        formula = f"{self.formula} + {other.formula}" if self.formula and other.formula else ""
        return replace(
            self,
            start=self.start + other.start,
            end=self.end + other.end,
            closed_start=self.closed_start and other.closed_start,
            closed_end=self.closed_end and other.closed_end,
            slack=max(self.slack, other.slack),
            formula=formula,
        )

    def __str__(self) -> str:
        left = "[" if self.closed_start else "("
        right = "]" if self.closed_end else ")"
        return f"{left}{fmt_seconds(self.start)}, {fmt_seconds(self.end)}{right} s"


def fmt_seconds(value: float) -> str:
    """1 decimal, 2 below one second: '41.2', '0.25'."""
    return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"


def ceil_to(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (F* = ceil(F/E)*E)."""
    if step <= 0:
        raise ValueError(f"step must be positive, got {step}")
    return math.ceil(value / step - _EPS) * step if value > 0 else 0.0


def evaluation_interval(rule: AlertRule, intervals: Intervals) -> float:
    """E: the rule group's ``interval:``, else the global evaluation interval."""
    return rule.group_interval_s or intervals.evaluation


def for_star(rule: AlertRule, intervals: Intervals) -> float:
    """F* = ceil(F/E)*E: FiredAt is the first evaluation with ts - ActiveAt >= F."""
    return ceil_to(rule.for_s, evaluation_interval(rule, intervals))


def keep_star(rule: AlertRule, intervals: Intervals) -> float:
    """K* = ceil(K/E)*E: resolved at the first evaluation with ts - KeepFiringSince >= K."""
    return ceil_to(rule.keep_firing_for_s, evaluation_interval(rule, intervals))


def condition_lag(rule: AlertRule) -> tuple[float, float]:
    """How long after the app's value changes the *condition* itself may change.

    A gauge condition follows the value at the next scrape (already in S + E): (0, 0).
    A range condition (``rate(x[W]) > thr``) crosses its threshold somewhere in (0, W]
    after the change: at once for a fault far above the threshold, after nearly all of W
    for one just above it (docs/TIMING.md, "Bounds", rate condition).
    """
    return (0.0, rule.max_range_s) if rule.uses_range else (0.0, 0.0)


def absence_lag(rule: AlertRule, intervals: Intervals) -> tuple[float, float]:
    """Lag of an absence condition (``rate(x[W]) == 0``): the window must empty, (W - S, W].

    Pass it as ``lag`` for rules such as WorkerStalled; ``condition_lag`` cannot tell a
    zero threshold from a positive one.
    """
    return (max(0.0, rule.max_range_s - intervals.scrape), rule.max_range_s)


def firing_window(
    rule: AlertRule,
    intervals: Intervals,
    *,
    lag: tuple[float, float] | None = None,
    slack: float = SLACK,
) -> Window:
    """FiredAt after t0 (the fault starts): [t0 + lo + F*, t0 + hi + S + E + F*).

    Gauge condition (docs/TIMING.md, "Bounds"): the first scrape after t0 comes within S,
    the first evaluation that sees it within E more; that evaluation is ActiveAt, and
    FiredAt = ActiveAt + F* (Prometheus ``rules/alerting.go``, ``AlertingRule.Eval``:
    firing once ``ts.Sub(a.ActiveAt) >= r.holdDuration``, evaluations on fixed slots).

    Range condition: docs/TIMING.md says the condition lags the fault by up to W and to
    "add that to both edges". The lag is one unknown d in [lo, hi] (``condition_lag``:
    [0, W]) that shifts the *whole* gauge window: FiredAt in [t0 + d + F*,
    t0 + d + S + E + F*). Without knowing d, the window is the union over d: the early
    edge stays t0 + F* (a fault far above the threshold makes the condition true at
    the first scrapes) and the late edge moves by W (a fault just above it needs the
    whole window). A caller that knows d from the fault's size passes ``lag=(d, d)``
    and gets the narrow window back.
    """
    hold = ("t0", "F*", for_star(rule, intervals))
    return _condition_window(rule, intervals, lag, slack, hold)


# The same signature as firing_window (the duplicates tool pairs them): both are
# _condition_window with another hold, F* after t0 there, K* after t1 here.
def resolve_window(
    rule: AlertRule,
    intervals: Intervals,
    *,
    lag: tuple[float, float] | None = None,
    slack: float = SLACK,
) -> Window:
    """ResolvedAt after t1 (the fault stops): [t1 + lo + K*, t1 + hi + S + E + K*).

    The first evaluation without the element comes within S + E of t1 (gauge); with
    ``keep_firing_for`` the alert stays firing K* longer (``rules/alerting.go``,
    ``KeepFiringSince``). A range condition stays true up to W after t1 (docs/TIMING.md:
    "Resolve: up to W after t1, plus S + E"), treated as the same unknown lag as in
    ``firing_window``.
    """
    hold = ("t1", "K*", keep_star(rule, intervals))
    return _condition_window(rule, intervals, lag, slack, hold)


def _condition_window(
    rule: AlertRule,
    intervals: Intervals,
    lag: tuple[float, float] | None,
    slack: float,
    hold: tuple[str, str, float],
) -> Window:
    """[ref + lo + H, ref + hi + S + E + H) for ``hold`` = (ref, name of H, H)."""
    ref, name, seconds = hold
    lo, hi = lag if lag is not None else condition_lag(rule)
    reach = intervals.scrape + evaluation_interval(rule, intervals)
    return Window(
        start=lo + seconds,
        end=hi + reach + seconds,
        slack=slack,
        formula=_formula(ref, lo, hi, name, rule),
    )


def aftermath(
    rule: AlertRule, intervals: Intervals, *, lag: tuple[float, float] | None = None
) -> float:
    """How long after a phase ends its conditions can still make the alert fire.

    A ``never_fires: {during: P}`` check watches [P.start, P.end + aftermath): a firing
    needs the condition true at its own evaluation, which the phase's values keep up to
    hi + S + E after the phase ends (``for:`` adds nothing: it only delays firings).
    """
    _, hi = lag if lag is not None else condition_lag(rule)
    return hi + intervals.scrape + evaluation_interval(rule, intervals)


def first_notification_window(route: Route, *, slack: float = SLACK) -> Window:
    """First notification of a new group: FiredAt + GW (relative to FiredAt).

    Prometheus sends a firing alert right after the evaluation that fires it
    (``rules/manager.go``, ``sendAlerts``); Alertmanager creates the group on arrival
    and flushes it when the group_wait timer ends (``dispatch/dispatch.go``,
    ``newAggrGroup``: ``time.NewTimer(GroupWait)``). Only the HTTP hops add time: slack.
    """
    gw = route.group_wait_s
    return Window(gw, gw, closed_end=True, slack=slack, formula="FiredAt + GW")


def existing_group_window(route: Route, *, flushed: bool = True, slack: float = SLACK) -> Window:
    """An alert joining an existing group (relative to FiredAt).

    A group that already flushed sends at its next group_interval tick: (0, GI]
    (``aggrGroup.run`` resets its timer to GroupInterval after each flush). A group
    still in its group_wait sends at that first flush: (0, GW].
    """
    end = route.group_interval_s if flushed else route.group_wait_s
    name = "GI" if flushed else "GW"
    return Window(0.0, end, False, True, slack, f"FiredAt + (0, {name}]")


def resolved_notification_window(route: Route, *, slack: float = SLACK) -> Window:
    """Resolved notification: next GI tick after ResolvedAt, within (0, GI].

    Sent only with ``send_resolved`` and only if a firing notification went out before
    (``notify/notify.go``, ``DedupStage.needsUpdate``).
    """
    gi = route.group_interval_s
    return Window(0.0, gi, False, True, slack, "ResolvedAt + (0, GI]")


def effective_repeat_interval(route: Route) -> float:
    """repeat_interval is checked only at flushes: rounded up to a multiple of GI."""
    return ceil_to(route.repeat_interval_s, route.group_interval_s)


def repeat_notification_window(route: Route, *, slack: float = SLACK) -> Window:
    """A repeat of an unchanged group, relative to the previous notification: [RI*, RI* + GI].

    RI* = ``effective_repeat_interval``. One more GI is allowed because the notification
    log stamps an entry *after* the send (``nflog.Log``), so when RI is an exact multiple
    of GI the check ``entry.Timestamp.Before(now - repeat)`` usually fails at RI* by the
    send's own duration and passes one tick later.
    """
    ri = effective_repeat_interval(route)
    return Window(ri, ri + route.group_interval_s, True, True, slack, "last + RI* + [0, GI]")


def covering(per_route: Sequence[tuple[Route, Window]]) -> Window:
    """One receiver's window through the routes that reach it, each route named in the
    formula. Through several (``continue: true``) each route's group notifies it on its
    own timers, so the window runs from the earliest route's start to the latest end."""
    if not per_route:
        raise ValueError("covering() needs at least one route")
    if len(per_route) == 1:
        route, window = per_route[0]
        return replace(window, formula=f"{window.formula} ({route.path})")
    windows = [w for _, w in per_route]
    start = min(w.start for w in windows)
    end = max(w.end for w in windows)
    parts = "; ".join(f"{r.path}: {w.formula} {w}" for r, w in per_route)
    return Window(
        start,
        end,
        closed_start=any(w.closed_start for w in windows if w.start == start),
        closed_end=any(w.closed_end for w in windows if w.end == end),
        slack=max(w.slack for w in windows),
        formula=f"covers {len(per_route)} routes ({parts})",
    )


def _formula(ref: str, lo: float, hi: float, hold: str, rule: AlertRule) -> str:
    """``[t0 + F*, t0 + W + S + E + F*)`` with the lag written as W where it is W."""

    def term(value: float) -> str:
        if value == 0:
            return ""
        return " + W" if rule.uses_range and value == rule.max_range_s else f" + {value:g}"

    return f"[{ref}{term(lo)} + {hold}, {ref}{term(hi)} + S + E + {hold})"
