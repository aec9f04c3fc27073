"""Load phases for Locust's shape (locustfiles/shapes.py), written as a JSON file.

Schema (version 1), read by ``locustfiles/common/phases.py``::

    {"version": 1,
     "phases": [{"name": "warm-up", "duration": 10, "users": 5, "spawn_rate": 5,
                 "faults": null}, ...]}

``faults`` is a partial fault state (the body of ``PUT /faults``) held for the whole
phase; null or absent means no fault. At each boundary where it changes, the shape
resets the target's faults and applies the new ones; it resets them after the last
phase. Phase start times are logged to a JSON-lines file (see ``PhaseMark``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import InputError

PHASES_VERSION = 1
# Environment variables the shape reads (set by LocustRun).
PHASES_ENV = "HARNESS_LOAD_PHASES"
PHASE_LOG_ENV = "HARNESS_LOAD_PHASE_LOG"


@dataclass(frozen=True)
class Phase:
    name: str
    duration: float  # seconds
    users: int
    spawn_rate: float
    faults: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        where = f"phase {self.name!r}"
        if not self.name:
            raise InputError("A load phase needs a name.")
        if not (math.isfinite(self.duration) and self.duration > 0):
            raise InputError(f"{where}: duration must be > 0 s, got {self.duration!r}.")
        if self.users < 0:
            raise InputError(f"{where}: users must be >= 0, got {self.users!r}.")
        if not (math.isfinite(self.spawn_rate) and self.spawn_rate > 0):
            raise InputError(f"{where}: spawn_rate must be > 0, got {self.spawn_rate!r}.")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "duration": self.duration,
            "users": self.users,
            "spawn_rate": self.spawn_rate,
            "faults": dict(self.faults) if self.faults else None,
        }


@dataclass(frozen=True)
class PhaseMark:
    """When a phase really began in the Locust process (epoch seconds), and its faults."""

    index: int
    name: str
    started_at: float
    faults: Mapping[str, Any] | None = None
    faults_applied_at: float | None = None
    fault_error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def total_duration(phases: Sequence[Phase]) -> float:
    return sum(p.duration for p in phases)


def write_phases(path: Path, phases: Sequence[Phase]) -> Path:
    if not phases:
        raise InputError("A phase plan needs at least one phase.")
    names = [p.name for p in phases]
    if len(set(names)) != len(names):
        raise InputError(f"Phase names must be unique, got {names}.")
    body = {"version": PHASES_VERSION, "phases": [p.to_dict() for p in phases]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return path


def read_phase_log(path: Path) -> tuple[PhaseMark, ...]:
    """Parse the shape's JSON-lines log; a missing file is an empty log."""
    if not path.exists():
        return ()
    marks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        known = {"index", "name", "started_at", "faults", "faults_applied_at", "fault_error"}
        marks.append(
            PhaseMark(
                index=int(row["index"]),
                name=str(row["name"]),
                started_at=float(row["started_at"]),
                faults=row.get("faults"),
                faults_applied_at=row.get("faults_applied_at"),
                fault_error=row.get("fault_error"),
                extra={k: v for k, v in row.items() if k not in known},
            )
        )
    return tuple(marks)
