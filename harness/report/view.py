"""From report.json's models to what the page shows: charts per alert, rows, labels.

Every time on the page is seconds after its scenario started.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from harness.report import chart
from harness.report.chart_spec import (
    Band,
    Bracket,
    ChartSpec,
    Line,
    Mark,
    PhaseSpan,
    receiver_palette,
)
from harness.report.model import (
    AlertRuleInfo,
    AlertSeries,
    Episode,
    Notification,
    Report,
    ScenarioReport,
    Verdict,
)

CHECK_LABELS = {
    "fires": "fires",
    "resolves": "resolves",
    "never_fires": "never fires",
    "notifies": "notifies {}",
    "resolved_notification": "resolved → {}",
    "not_notifies": "does not notify {}",
}


@dataclass
class AlertView:
    alert: str
    svg: str
    rule: AlertRuleInfo | None
    queried: str  # the value side of the condition that the chart shows
    series_error: str | None
    verdicts: list[Verdict]


@dataclass
class ScenarioView:
    report: ScenarioReport
    anchor: str
    duration: float
    alerts: list[AlertView] = field(default_factory=list)
    load_svg: str = ""
    notes: list[str] = field(default_factory=list)  # those not already shown for the run

    @property
    def failed(self) -> int:
        return sum(not v.passed for v in self.report.verdicts)


def check_label(check: str) -> str:
    kind, _, receiver = check.partition(":")
    return CHECK_LABELS.get(kind, kind).format(receiver)


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def reference_instant(v: Verdict, s: ScenarioReport) -> float | None:
    """Wall-clock time of a verdict's reference instant ("'fault' started", ...)."""
    if v.reference_at is not None:
        return v.reference_at
    if v.reference == "the scenario started":
        return s.started
    phase = re.fullmatch(r"'(.+)' (started|ended)", v.reference)
    if phase:
        marks = [p for p in s.phases if p.name == phase[1]]
        return (marks[0].start if phase[2] == "started" else marks[0].end) if marks else None
    alert = re.fullmatch(r"(\S+) (fired|resolved)", v.reference)
    if alert:  # the first firing of the run, as the judge picks it
        fired = [e for e in s.episodes.get(alert[1], []) if (e.fired_at or 0) >= s.started]
        if fired:
            return fired[0].fired_at if alert[2] == "fired" else fired[0].resolved_at
    return None


def scenario_views(report: Report) -> list[ScenarioView]:
    receivers = list(report.inputs.receivers)
    receivers += [n.receiver for s in report.scenarios for n in s.notifications]
    palette = receiver_palette(receivers)
    rules = {r.name: r for r in report.inputs.alerts}
    evaluation = report.intervals.evaluation
    views = [
        scenario_view(s, f"s{i}", palette, rules, evaluation)
        for i, s in enumerate(report.scenarios)
    ]
    for view in views:
        view.notes = [n for n in view.report.notes if n not in report.notes]
    return views


def scenario_view(
    s: ScenarioReport,
    uid: str,
    palette: dict[str, str],
    rules: dict[str, AlertRuleInfo],
    evaluation: float,
) -> ScenarioView:
    """Charts and rows of one scenario; ``uid`` keeps its anchors and SVG ids unique."""
    view = ScenarioView(s, f"{uid}-{_slug(s.id)}", s.ended - s.started)
    if s.error is not None:
        return view
    x_range = _x_range(s)
    for j, name in enumerate(alert_names(s)):
        series = next((a for a in s.series if a.alert == name), None)
        spec = alert_chart(s, name, series, x_range, palette, evaluation)
        view.alerts.append(
            AlertView(
                name,
                chart.render(spec, uid=f"{uid}-{j}"),
                rules.get(name),
                series.expr if series else "",
                series.error if series else None,
                [v for v in s.verdicts if v.alert == name],
            )
        )
    if s.load is not None:
        view.load_svg = chart.render(load_chart(s, x_range), uid=f"{uid}-load")
    return view


def alert_names(s: ScenarioReport) -> list[str]:
    names = [a.alert for a in s.series] + [v.alert for v in s.verdicts] + list(s.episodes)
    return list(dict.fromkeys(names))


def alert_chart(
    s: ScenarioReport,
    alert: str,
    series: AlertSeries | None,
    x_range: tuple[float, float],
    palette: dict[str, str],
    evaluation: float,
) -> ChartSpec:
    t0 = s.started
    lines = []
    if series is not None:
        varying = _varying_labels([line.labels for line in series.series])
        for line in series.series:
            label = ", ".join(f"{k}={line.labels[k]}" for k in varying if k in line.labels)
            points = [(t - t0, v) for t, v in line.points if v is not None and math.isfinite(v)]
            lines.append(Line(label or _short_labels(line.labels) or "value", points))
    return ChartSpec(
        title=f"{alert} in {s.id}",
        x_range=x_range,
        lines=lines,
        threshold=series.threshold if series else None,
        op=series.op if series else None,
        phases=phase_spans(s),
        bands=[b for e in s.episodes.get(alert, []) for b in _bands(e, t0, evaluation)],
        marks=[_mark(n, t0) for n in s.notifications if alert in n.alertnames or not n.alertnames],
        brackets=[_bracket(v, s) for v in s.verdicts if v.alert == alert and v.window],
        receiver_colours=palette,
        empty_note=f"no data: {series.error}"
        if series and series.error
        else "the expression returned no data during the run",
    )


def load_chart(s: ScenarioReport, x_range: tuple[float, float]) -> ChartSpec:
    assert s.load is not None
    reqs: dict[int, int] = {}
    fails: dict[int, int] = {}
    for e in s.load.endpoints:
        for sec, n in e.per_second.items():
            reqs[int(sec)] = reqs.get(int(sec), 0) + n
        for sec, n in e.failures_per_second.items():
            fails[int(sec)] = fails.get(int(sec), 0) + n
    seconds = range(min(reqs), max(reqs) + 1) if reqs else range(0)
    return ChartSpec(
        title=f"Locust load in {s.id}",
        x_range=x_range,
        lines=[
            Line("requests/s", [(t - s.started, reqs.get(t, 0)) for t in seconds]),
            Line("failures/s", [(t - s.started, fails.get(t, 0)) for t in seconds]),
        ],
        phases=phase_spans(s),
        empty_note="Locust recorded no requests",
    )


def phase_spans(s: ScenarioReport) -> list[PhaseSpan]:
    return [
        PhaseSpan(p.name, p.start - s.started, p.end - s.started, _faults(p.faults))
        for p in s.phases
    ]


def _faults(faults: list[dict[str, object]]) -> str:
    out = []
    for f in faults:
        extra = ", ".join(f"{k}={v}" for k, v in f.items() if k != "kind" and v not in ([], None))
        out.append(f"{f.get('kind', '?')}" + (f" {extra}" if extra else ""))
    return "; ".join(out)


def _bands(e: Episode, t0: float, evaluation: float) -> list[Band]:
    who = _short_labels(e.labels, skip=("alertname",))
    name = f"{e.alert}{{{who}}}" if who else e.alert
    out = []
    if e.pending_at is not None:
        start = e.pending_at - t0
        end = e.fired_at or e.last_seen or e.resolved_at
        if end is not None:
            gone = "fired" if e.fired_at else "last seen pending"
            label = f"{name} pending from {start:.1f} s; {gone} at {end - t0:.1f} s"
        else:  # a pending alert that went away: one evaluation wide, end unknown
            end = e.pending_at + evaluation
            label = f"{name} pending at {start:.1f} s (never fired)"
        out.append(Band("pending", start, end - t0, label))
    if e.fired_at is not None:
        resolved = None if e.resolved_at is None else e.resolved_at - t0
        until = f"resolved at {resolved:.1f} s" if resolved is not None else "still firing"
        out.append(
            Band(
                "firing",
                e.fired_at - t0,
                resolved,
                f"{name} firing from {e.fired_at - t0:.1f} s; {until}",
            )
        )
    return out


def _mark(n: Notification, t0: float) -> Mark:
    what = n.summary or ", ".join(n.alertnames) or "?"
    return Mark(
        n.received_at - t0,
        n.receiver,
        n.status,
        f"{n.receiver} ({n.kind}) got {n.status} at {n.received_at - t0:.1f} s: {what}",
    )


def _bracket(v: Verdict, s: ScenarioReport) -> Bracket:
    assert v.window is not None
    ref = reference_instant(v, s)
    return Bracket(
        label=check_label(v.check),
        reference=None if ref is None else ref - s.started,
        start=v.window[0],
        end=finite(v.window[1]),
        slack=v.slack or 0.0,
        observed=finite(v.observed),
        passed=v.passed,
        message=v.message + (f" [{v.window_formula}]" if v.window_formula else ""),
        missing=_missing_reference(v.reference),
    )


def _missing_reference(reference: str) -> str:
    event = re.fullmatch(r"(\S+) (fired|resolved)", reference)
    if event:
        return f"{event[1]} never {event[2]}"
    return "reference instant unknown" if reference else "no reference instant"


def _x_range(s: ScenarioReport) -> tuple[float, float]:
    times = [s.ended]
    times += [p[0] for a in s.series for line in a.series for p in line.points[:1]]
    times += [p[0] for a in s.series for line in a.series for p in line.points[-1:]]
    times += [n.received_at for n in s.notifications]
    lo = min(min(times) - s.started, 0.0)
    hi = max(times) - s.started
    return lo, hi + max(0.5, (hi - lo) * 0.02)


def _varying_labels(label_sets: list[dict[str, str]]) -> list[str]:
    keys = sorted({k for labels in label_sets for k in labels})
    return [k for k in keys if len({labels.get(k) for labels in label_sets}) > 1]


def _short_labels(labels: dict[str, str], skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k not in skip)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "scenario"
