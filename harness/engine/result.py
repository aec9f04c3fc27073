"""What one scenario run produced: verdicts, episodes, notifications, load ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.engine.history import Episode
from harness.verdicts.verdict import Verdict


@dataclass(frozen=True)
class PhaseMark:
    name: str
    start: float  # wall-clock seconds, once the phase's faults are on
    end: float  # once they are off again
    faults: tuple[dict[str, Any], ...] = ()
    # How long switching them on (off) took, up to ``start`` (``end``): a fault's effect
    # can begin anywhere in it (a queue backlog is in Redis before the last call returns).
    faults_on_s: float = 0.0
    faults_off_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start,
            "end": self.end,
            "faults": list(self.faults),
            "faults_on_s": round(self.faults_on_s, 3),
            "faults_off_s": round(self.faults_off_s, 3),
        }


@dataclass(frozen=True)
class ExpectationVerdict:
    """One checked part of an expectation (fires, resolves, notifies:<receiver>, ...)."""

    scenario: str
    alert: str
    check: str
    verdict: Verdict

    @classmethod
    def of(cls, scenario: str, alert: str, check: str, verdict: Verdict) -> ExpectationVerdict:
        return cls(scenario, alert, check, verdict)

    # Delegating properties, like prepare.Prepared's: boilerplate, no logic to share.
    @property
    def passed(self) -> bool:
        return self.verdict.passed

    @property
    def message(self) -> str:
        return self.verdict.message

    def to_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "scenario": self.scenario,
            "alert": self.alert,
            "check": self.check,
            "expectation": v.expectation,
            "passed": v.passed,
            "outcome": str(v.outcome),
            "message": v.message,
            "window": [v.window.start, v.window.end] if v.window else None,
            "window_formula": v.window.formula if v.window else None,
            "slack": v.window.slack if v.window else None,
            "observed": v.observed,
            "reference": v.reference,
            "budget": v.budget.to_dict() if v.budget else None,
        }


@dataclass
class ScenarioResult:
    scenario_id: str
    source: Path | None
    started: float
    ended: float
    phases: list[PhaseMark] = field(default_factory=list)
    verdicts: list[ExpectationVerdict] = field(default_factory=list)
    episodes: dict[str, list[Episode]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    load: dict[str, Any] | None = None
    # Per alert: the expression's value over the run against its threshold (charts).
    series: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the run itself broke (environment), not an expectation
    recording: dict[str, Any] | None = None  # offline.capture: path, size_bytes, error

    @property
    def passed(self) -> bool:
        return self.error is None and all(v.passed for v in self.verdicts)

    def failures(self) -> list[ExpectationVerdict]:
        return [v for v in self.verdicts if not v.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.scenario_id,
            "source": str(self.source) if self.source else None,
            "started": self.started,
            "ended": self.ended,
            "passed": self.passed,
            "error": self.error,
            "phases": [p.to_dict() for p in self.phases],
            "verdicts": [v.to_dict() for v in self.verdicts],
            "episodes": {k: [e.to_dict() for e in v] for k, v in self.episodes.items()},
            "notifications": self.notifications,
            "load": self.load,
            "series": self.series,
            "notes": self.notes,
            "recording": self.recording,
        }
