"""The flake benchmark's analysis: expectations across runs, read from report.json files.

Pure functions over the JSON the harness wrote (nothing is re-run). An expectation is
one verdict of a scenario: (scenario id, check, alert, its ordinal among the scenario's
verdicts with that alert and check), stable across runs of the same files. Per
expectation: its outcome in each run (a flip: they differ), where the observation fell
inside its window (distance to each edge, in the alert's evaluation intervals E), and
for ``never_fires`` the closest approach of the alert's value to its threshold, read
from the scenario's charted series exactly as the verdict message's "peaked at" is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.durations import parse_duration
from harness.engine.series import AlertSeries, closest_approach
from harness.errors import HarnessError

NEAR_EDGE = 1.0  # evaluation intervals: closer than this to an edge is flagged
# A window as wide as its sampling phases and nothing more: a gauge condition's
# [t + H, t + S + E + H) (harness.verdicts.windows), perhaps with the collection period
# and the fault switch, but no condition lag (W, a number) and no added latency.
_SAMPLING_ONLY = re.compile(
    r"\[(t[01]) \+ ([FK]\*), \1 \+ S \+ E \+ \2\)"
    r"( \+ collection [\d.]+ s)?(, early edge - switching faults o(n|ff) [\d.]+ s)?"
)
_SUBJECT = re.compile(r"^(\w+)(\{[^}]*\})?")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class RunReport:
    """One run: its report.json, loaded."""

    path: Path
    data: dict[str, Any]

    @property
    def label(self) -> str:
        return str(self.data.get("run_id") or self.path.parent.name)

    @property
    def wall_s(self) -> float:
        return round(float(self.data["ended"]) - float(self.data["started"]), 1)


@dataclass
class Expectation:
    """One expectation across runs; lists hold one entry per run (None: absent)."""

    scenario: str
    alert: str
    check: str
    ordinal: int
    subject: str
    evaluation_s: float
    runs: list[dict[str, Any] | None] = field(default_factory=list)

    @property
    def key(self) -> str:
        n = f" #{self.ordinal + 1}" if self.ordinal else ""
        return f"{self.scenario} | {self.subject} | {self.check}{n}"

    def outcomes(self) -> list[str | None]:
        return [r["outcome"] if r else None for r in self.runs]

    @property
    def flipped(self) -> bool:
        return len({o for o in self.outcomes() if o is not None}) > 1

    def min_edge(self, side: str) -> float | None:
        values = [r[side] for r in self.runs if r and r.get(side) is not None]
        return min(values) if values else None

    @property
    def narrow(self) -> bool:
        """A window no wider than 2 E in some run (FiredAt + GW, a point; (0, GI] with
        GI = 2 E): every observation is within 1 E of an edge by construction; its only
        margin is the slack (+ 1 ms: widths are ms-rounded)."""
        widths = [r.get("window_width_E") for r in self.runs if r]
        return any(w is not None and w <= 2 * NEAR_EDGE + 0.002 for w in widths)

    @property
    def sampled(self) -> bool:
        """A window made of sampling phases only (``_SAMPLING_ONLY``): where in it the
        event falls is the draw of the collection, scrape and evaluation phases against
        t0, which no scenario size moves (a step in a gauge: FiredAt = t0 + collection
        lag + scrape lag + evaluation lag + F*, each uniform over its period). Such a
        window is exact at both edges, so, as for ``narrow`` ones, its margin is the slack."""
        formulas = [r.get("window_formula") for r in self.runs if r]
        return bool(formulas) and all(
            f is not None and _SAMPLING_ONLY.fullmatch(f) for f in formulas
        )

    @property
    def near_edge(self) -> bool:
        """Within ``NEAR_EDGE`` evaluation intervals of an edge of a window wide enough
        for that to mean something (``narrow`` and ``sampled`` ones are told apart)."""
        edges = [self.min_edge("to_early_edge_E"), self.min_edge("to_late_edge_E")]
        told_apart = self.narrow or self.sampled
        return not told_apart and any(e is not None and e < NEAR_EDGE for e in edges)

    def closest(self) -> dict[str, Any] | None:
        """The run whose approach came nearest to the threshold (highest ratio)."""
        found = [r["approach"] for r in self.runs if r and r.get("approach")]
        ranked = [a for a in found if a.get("ratio") is not None]
        if ranked:
            return max(ranked, key=lambda a: a["ratio"])
        valued = [a for a in found if a.get("value") is not None]
        return (valued or found or [None])[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "scenario": self.scenario, "alert": self.alert,
            "subject": self.subject, "check": self.check, "ordinal": self.ordinal,
            "evaluation_interval_s": self.evaluation_s, "outcomes": self.outcomes(),
            "flipped": self.flipped, "near_edge": self.near_edge, "narrow_window": self.narrow,
            "sampling_window": self.sampled,
            "min_margin_s": self.min_edge("margin_s"),
            "min_to_early_edge_E": self.min_edge("to_early_edge_E"),
            "min_to_late_edge_E": self.min_edge("to_late_edge_E"),
            "closest_approach": self.closest(), "runs": self.runs,
        }  # fmt: skip


def find_reports(folders: Sequence[Path]) -> list[Path]:
    """report.json of each folder: the folder's own, else every one below it (one per
    run, in name order); a folder without any is an error."""
    if not folders:
        raise HarnessError("--from-reports: no folder given")
    found: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise HarnessError(f"--from-reports {folder}: not a folder")
        own = folder / "report.json"
        below = [own] if own.is_file() else sorted(folder.glob("**/report.json"))
        if not below:
            raise HarnessError(f"--from-reports {folder}: no report.json in it or below it")
        found += below
    return found


def load_report(path: Path) -> RunReport:
    """One report.json; HarnessError for one that cannot be a run's report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HarnessError(f"{path}: cannot read a report.json: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("scenarios"), list):
        raise HarnessError(f"{path}: not a harness report.json (no 'scenarios' list)")
    if not data["scenarios"]:
        raise HarnessError(
            f"{path}: the run holds no scenario: a run that selected nothing is not a pass"
        )
    if (path.parent / "INCOMPLETE").exists():
        raise HarnessError(f"{path}: the run was interrupted ({path.parent / 'INCOMPLETE'})")
    return RunReport(path, data)


def evaluation_intervals(report: Mapping[str, Any]) -> dict[str, float]:
    """Alert -> E: its group's ``interval:`` in the rules the stack ran, else the global."""
    inputs = report.get("inputs") or {}
    out: dict[str, float] = {}
    for rule_file in inputs.get("scaled_rules") or []:
        doc = yaml.safe_load(rule_file.get("yaml") or "") or {}
        for group in doc.get("groups") or []:
            interval = group.get("interval")
            for rule in group.get("rules") or []:
                if interval and "alert" in rule:
                    out[rule["alert"]] = parse_duration(str(interval))
    return out


def analyse(reports: Sequence[RunReport]) -> list[Expectation]:
    """Every expectation seen in any run, in first-seen order."""
    if not reports:
        raise HarnessError("no run to analyse")
    table: dict[tuple[str, str, str, int], Expectation] = {}
    for i, report in enumerate(reports):
        default_e = float(report.data["intervals"]["evaluation"])
        per_alert = evaluation_intervals(report.data)
        for scenario in report.data["scenarios"]:
            seen: dict[tuple[str, str], int] = {}
            for v in scenario.get("verdicts") or []:
                ordinal = seen.get((v["alert"], v["check"]), 0)
                seen[(v["alert"], v["check"])] = ordinal + 1
                key = (scenario["id"], v["alert"], v["check"], ordinal)
                e = per_alert.get(v["alert"], default_e)
                if key not in table:
                    table[key] = Expectation(
                        scenario["id"], v["alert"], v["check"], ordinal,
                        subject_of(v), e, [None] * len(reports),
                    )  # fmt: skip
                table[key].runs[i] = observation(v, scenario, e)
    if not table:
        raise HarnessError(
            "the runs hold no verdict: nothing was judged, which is not a pass "
            f"({', '.join(str(r.path) for r in reports)})"
        )
    return list(table.values())


def subject_of(verdict: Mapping[str, Any]) -> str:
    """``Alert{labels}`` when the expectation text starts with it, else the alert."""
    match = _SUBJECT.match(str(verdict.get("expectation") or ""))
    if match and match.group(1) == verdict["alert"]:
        return match.group(0)
    return str(verdict["alert"])


def observation(v: Mapping[str, Any], scenario: Mapping[str, Any], e: float) -> dict[str, Any]:
    """One run's verdict with its distance to each window edge, in units of ``e``."""
    out: dict[str, Any] = {
        "outcome": v["outcome"], "passed": v["passed"], "observed_s": v.get("observed"),
        "window_s": v.get("window"), "window_formula": v.get("window_formula"),
        "slack_s": v.get("slack"),
        "to_early_edge_E": None, "to_late_edge_E": None, "window_width_E": None,
        "margin_s": None, "approach": None,
    }  # fmt: skip
    window, observed = v.get("window"), v.get("observed")
    timed = v["outcome"] in ("early", "on_time", "late")
    if timed and window and observed is not None and e > 0:
        slack = float(v.get("slack") or 0.0)
        out["to_early_edge_E"] = round((observed - window[0]) / e, 3)
        out["margin_s"] = round(observed - window[0] + slack, 3)
        if window[1] is not None:
            out["to_late_edge_E"] = round((window[1] - observed) / e, 3)
            out["window_width_E"] = round((window[1] - window[0]) / e, 3)
            out["margin_s"] = min(out["margin_s"], round(window[1] - observed + slack, 3))
    if v["check"] == "never_fires":
        out["approach"] = approach(v, scenario)
    return out


def approach(v: Mapping[str, Any], scenario: Mapping[str, Any]) -> dict[str, Any]:
    """How close the alert's value came to its threshold over the watched interval
    (``harness.engine.series.closest_approach``, as the verdict message says it); where
    there is no such number, ``value`` is None and ``reason`` says why."""
    ref = reference_instant(v, scenario)
    entry = next((s for s in scenario.get("series") or [] if s["alert"] == v["alert"]), None)
    window = v.get("window")
    why = _no_approach(ref, entry, window)
    if why:
        return {"value": None, "ratio": None, "reason": why}
    assert ref is not None and entry is not None and window is not None
    series = AlertSeries(
        entry["alert"], entry.get("expr", ""), entry.get("op"), entry.get("threshold"),
        [
            {"labels": s.get("labels", {}),
             "points": [(t, x) for t, x in s.get("points", []) if x is not None]}
            for s in entry.get("series") or []
        ],
    )  # fmt: skip
    end = ref + window[1] if window[1] is not None else float(scenario["ended"])
    found = closest_approach(series, labels_of(subject_of(v)), ref + window[0], end)
    if found is None:
        return {"value": None, "ratio": None, "reason": "no value while watched"}
    return {
        "value": found.value, "threshold": found.threshold, "op": found.op,
        "at_s": round(found.at - ref, 1),
        "ratio": closeness(found.value, found.op, found.threshold),
    }  # fmt: skip


def _no_approach(ref: float | None, entry: Mapping[str, Any] | None, window: Any) -> str:
    if ref is None or not window:
        return "the watched interval is unknown"
    if entry is None:
        return "the alert's value was not charted"
    if entry.get("error"):
        return f"the alert's value was not charted: {entry['error']}"
    if entry.get("threshold") is None or entry.get("op") in (None, "==", "!="):
        return "its expression has no plain threshold"
    return ""


def closeness(value: float, op: str, threshold: float) -> float | None:
    """1.0 at the threshold, below 1 on the quiet side: value/threshold for ``>``,
    threshold/value for ``<``; None where a ratio means nothing (signs, zero)."""
    if value < 0 or threshold <= 0:
        return None
    if op in (">", ">="):
        return round(value / threshold, 4)
    return round(threshold / value, 4) if value > 0 else None


def labels_of(subject: str) -> dict[str, str]:
    """``Alert{a="1",b="2"}`` -> {a: 1, b: 2}."""
    brace = subject.find("{")
    return dict(_LABEL.findall(subject[brace:])) if brace >= 0 else {}


def reference_instant(v: Mapping[str, Any], scenario: Mapping[str, Any]) -> float | None:
    """Wall-clock time of a ``never_fires`` verdict's reference: the scenario's start or
    a phase's start/end (as ``harness.report.view.reference_instant`` reads it)."""
    if v.get("reference_at") is not None:
        return float(v["reference_at"])
    reference = str(v.get("reference") or "")
    if reference == "the scenario started":
        return float(scenario["started"])
    phase = re.fullmatch(r"'(.+)' (started|ended)", reference)
    marks = [p for p in scenario.get("phases") or [] if phase and p["name"] == phase[1]]
    if not phase or not marks:
        return None
    return float(marks[0]["start"] if phase[2] == "started" else marks[0]["end"])
