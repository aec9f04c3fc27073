"""Score candidates on one recorded scenario against its expectations of the alert.

Per candidate: ``fires`` (detection delay after the phase's start, production time,
against the scenario's ``within:`` budget; missed: the longest stretch the condition
held, and the peak), ``never_fires`` (firings and minutes firing in its span),
``resolves`` (every firing resolved before the recording ends), and the margin: the
closest approach of the expression's value to the candidate's threshold in the span
that matters (the fault phase for ``fires``, the quiet span for ``never_fires``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from harness.durations import format_duration
from harness.offline.evaluate import Evaluation, evaluate, grid
from harness.offline.recording import Recording
from harness.offline.source import RangeSource
from harness.offline.statemachine import Episode
from harness.rules.condition import split_comparison
from harness.rules.model import AlertRule
from harness.scenarios.model import Expectation, Scenario
from harness.tune.candidates import Candidate


@dataclass(frozen=True)
class Check:
    """One expectation of one scenario, for one candidate (production seconds)."""

    scenario: str
    kind: str  # fires | never_fires | resolves
    ok: bool
    detail: str
    delay_s: float | None = None
    budget_s: float | None = None
    firings: int = 0
    minutes_firing: float = 0.0
    peak: float | None = None  # the expression's value closest to crossing, in the span
    margin: float | None = None  # peak - threshold (signed: > 0 is past the threshold)

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class Span:
    start: float
    end: float
    ref: float  # the reference instant (a phase start), unix seconds
    phase_end: float | None = None  # the reference phase's end, when there is one


@dataclass
class Values:
    """The vector side's points (unix seconds, value) of the expression as run."""

    points: list[tuple[float, float]] = field(default_factory=list)

    def within(self, span: Span) -> list[tuple[float, float]]:
        return [(t, v) for t, v in self.points if span.start <= t <= span.end]


def expectations(scenario: Scenario, alert: str) -> list[Expectation]:
    return [e for e in scenario.expect if e.alert == alert]


def _span(recording: Recording, phase: str | None, *, from_start: bool = False) -> Span:
    whole = Span(recording.prometheus_started, recording.ended, recording.prometheus_started)
    found = recording.phase(phase) if phase else None
    if found is None:
        return whole
    start, end = float(found["start"]), float(found["end"])
    return Span(start, recording.ended if from_start else end, start, end)


def _matches(ep: Episode, labels: dict[str, str]) -> bool:
    mine = ep.label_dict
    return all(mine.get(k) == v for k, v in labels.items())


def vector_values(
    recording: Recording, run: AlertRule, source: RangeSource, offset_ms: int
) -> Values:
    """The expression's vector side at every evaluation (max over its series), when it
    is a comparison against a number; else nothing (no margin for that candidate)."""
    comparison = split_comparison(run.expr)
    step = round(recording.interval_s(run.name) * 1000)
    span = grid(recording.prometheus_started, recording.ended, step, offset_ms)
    if comparison is None or span is None:
        return Values()
    best: dict[int, float] = {}
    pick = min if (comparison.op in ("<", "<=")) != comparison.scalar_left else max
    for series in source.range_query(comparison.vector, span[0], span[1], step):
        for ts, value in series.points:
            best[ts] = pick(best.get(ts, value), value)
    return Values(sorted((ts / 1000, v) for ts, v in best.items()))


def _margin(
    candidate: Candidate, rule: AlertRule, values: Values, span: Span
) -> tuple[float | None, float | None]:
    comparison = split_comparison(rule.expr) if candidate.expr is None else None
    points = values.within(span)
    if comparison is None or not points:
        return None, None
    above = (comparison.op in (">", ">=")) != comparison.scalar_left
    peak = max(v for _, v in points) if above else min(v for _, v in points)
    margin = (peak - comparison.threshold) if above else (comparison.threshold - peak)
    return peak, round(margin, 12)  # no 6.9e-18 from float subtraction


def longest_hold(rule: AlertRule, values: Values, span: Span) -> float:
    """Longest stretch (seconds, as recorded) the candidate's condition held in ``span``:
    from the first to the last evaluation of a run where it held (``for`` compares the
    same difference)."""
    comparison = split_comparison(rule.expr)
    if comparison is None:
        return 0.0
    best = 0.0
    since: float | None = None
    for t, v in values.within(span):
        if not comparison.keeps(v):
            since = None
            continue
        since = t if since is None else since
        best = max(best, t - since)
    return best


def check_fires(
    scenario: str, exp: Expectation, ev: Evaluation, k: float, span: Span
) -> Check:
    assert exp.fires is not None
    budget = exp.fires.within
    fired = [e for e in ev.fired if _matches(e, dict(exp.labels))]
    early = [e for e in fired if e.fired_at is not None and e.fired_at < span.ref - 1e-3]
    late = [e for e in fired if e not in early]
    if early:
        return Check(scenario, "fires", False, "fired before the phase started", firings=len(fired))
    if not late:
        return Check(scenario, "fires", False, _missed(span, budget, k), budget_s=budget)
    assert late[0].fired_at is not None
    delay = (late[0].fired_at - span.ref) * k
    ok = budget is None or delay <= budget + 1e-6
    detail = f"{_dur(delay)}" + ("" if ok else f" > budget {_dur(budget or 0)}")
    return Check(scenario, "fires", ok, detail, delay_s=delay, budget_s=budget, firings=len(fired))


def _missed(span: Span, budget: float | None, k: float) -> str:
    """"missed", or why the recording cannot tell: its fault phase (an ``auto`` one ends
    once the rule as run has fired) was shorter than the budget."""
    if span.phase_end is None or budget is None:
        return "missed"
    lasted = (span.phase_end - span.ref) * k
    if lasted >= budget:
        return "missed"
    return f"undecided: the recorded fault lasted {_dur(lasted)} < budget {_dur(budget)}"


def check_quiet(
    scenario: str, exp: Expectation, ev: Evaluation, k: float, span: Span
) -> Check:
    fired = [
        e for e in ev.fired
        if _matches(e, dict(exp.labels)) and e.fired_at is not None
        and e.fired_at <= span.end and (e.resolved_at or span.end) >= span.start
    ]
    seconds = sum(
        max(0.0, min(e.resolved_at or span.end, span.end) - max(e.fired_at or 0, span.start))
        for e in fired
    )
    minutes = seconds * k / 60
    detail = "quiet" if not fired else f"{len(fired)} firing(s), {minutes:.1f} min"
    return Check(scenario, "never_fires", not fired, detail, firings=len(fired),
                 minutes_firing=minutes)


def check_resolves(scenario: str, exp: Expectation, ev: Evaluation) -> Check:
    open_ = [e for e in ev.fired if _matches(e, dict(exp.labels)) and e.resolved_at is None]
    return Check(scenario, "resolves", not open_, "resolved" if not open_ else "still firing")


def score(
    recording: Recording,
    scenario: Scenario,
    alert: str,
    candidates: Sequence[Candidate],
    rules: Sequence[AlertRule],
    evaluations: Sequence[Evaluation],
    values: Values,
) -> list[list[Check]]:
    """Per candidate (in order), the checks of every expectation of ``alert``."""
    k = recording.time_scale
    out: list[list[Check]] = []
    for candidate, rule, ev in zip(candidates, rules, evaluations, strict=True):
        checks: list[Check] = []
        for exp in expectations(scenario, alert):
            sid = scenario.id
            if exp.fires is not None:
                span = _span(recording, exp.fires.after, from_start=True)
                checks.append(_with_margin(check_fires(sid, exp, ev, k, span),
                                           candidate, rule, values, span, k))
            if exp.resolves is not None:
                checks.append(check_resolves(sid, exp, ev))
            if exp.never_fires is not None:
                span = _span(recording, exp.never_fires.during)
                checks.append(_with_margin(check_quiet(sid, exp, ev, k, span),
                                           candidate, rule, values, span, k))
        out.append(checks)
    return out


def _with_margin(
    check: Check, candidate: Candidate, rule: AlertRule, values: Values, span: Span, k: float
) -> Check:
    peak, margin = _margin(candidate, rule, values, span)
    if peak is None or margin is None:
        return check
    detail = check.detail
    if check.kind == "fires" and check.delay_s is None and detail == "missed":
        detail = f"missed (peak {peak:.3g}"
        if margin >= 0:  # crossed, but not for long enough
            held = longest_hold(rule, values, span) * k
            detail += f", held {_dur(held)} of for {_dur(candidate.for_s)}"
        detail += ")"
    return replace(check, peak=peak, margin=margin, detail=detail)


def evaluate_candidates(
    recording: Recording, rules: Sequence[AlertRule], source: RangeSource, alert: str
) -> list[Evaluation]:
    return evaluate(
        rules,
        source,
        recording.prometheus_started,
        recording.ended,
        default_interval_s=recording.evaluation_interval_s,
        offset_ms=recording.eval_phase_ms.get(alert, 0),
    )


def _dur(seconds: float) -> str:
    return format_duration(round(max(0.0, seconds)))
