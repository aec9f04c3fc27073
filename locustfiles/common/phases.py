"""Phase plans for ``shapes.PhaseShape``: parsing the harness's JSON and the built-in drill.

Standard library only. The schema is written by ``harness/load/shape_plan.py`` (version 1)::

    {"version": 1, "phases": [{"name", "duration", "users", "spawn_rate", "faults"}]}
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DRILL_NAMES = ("warm-up", "steady", "fault", "recovery")


class PlanError(ValueError):
    """The phase plan is unreadable or invalid; the message says where."""


@dataclass(frozen=True)
class Phase:
    name: str
    duration: float
    users: int
    spawn_rate: float
    faults: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Plan:
    phases: tuple[Phase, ...]

    @property
    def total(self) -> float:
        return sum(p.duration for p in self.phases)

    def at(self, elapsed: float) -> tuple[int, Phase] | None:
        """The phase running ``elapsed`` seconds after the start; None once the plan is over."""
        end = 0.0
        for index, phase in enumerate(self.phases):
            end += phase.duration
            if elapsed < end:
                return index, phase
        return None


def parse_plan(data: Any, *, source: str = "phase plan") -> Plan:
    if not isinstance(data, dict) or not isinstance(data.get("phases"), list):
        raise PlanError(f"{source}: expected an object with a 'phases' list.")
    if data.get("version", 1) != 1:
        raise PlanError(f"{source}: unsupported version {data.get('version')!r} (expected 1).")
    phases = tuple(_phase(raw, f"{source}: phases[{i}]") for i, raw in enumerate(data["phases"]))
    if not phases:
        raise PlanError(f"{source}: 'phases' is empty.")
    return Plan(phases)


def load_plan(value: str) -> Plan:
    """Inline JSON (starting with '{' or '[') or the path of a JSON file."""
    text, source = value, "inline phase plan"
    if not value.lstrip().startswith(("{", "[")):
        source = value
        try:
            text = Path(value).read_text(encoding="utf-8")
        except OSError as exc:
            raise PlanError(f"cannot read phase plan {value}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{source}, line {exc.lineno}: invalid JSON ({exc.msg}).") from None
    return parse_plan(data, source=source)


def drill_plan(
    users: int, spawn_rate: float, seconds: Sequence[float], faults: Mapping[str, Any] | None
) -> Plan:
    """Warm-up (half the users), steady, fault (``faults`` on), recovery."""
    if len(seconds) != len(DRILL_NAMES):
        raise PlanError(f"drill needs {len(DRILL_NAMES)} durations, got {list(seconds)}.")
    counts = (max(1, users // 2), users, users, users)
    return Plan(
        tuple(
            Phase(name, float(s), n, spawn_rate, faults if name == "fault" else None)
            for name, s, n in zip(DRILL_NAMES, seconds, counts, strict=True)
            if s > 0
        )
    )


def _phase(raw: Any, where: str) -> Phase:
    if not isinstance(raw, dict):
        raise PlanError(f"{where}: expected an object.")
    unknown = set(raw) - {"name", "duration", "users", "spawn_rate", "faults"}
    if unknown:
        raise PlanError(f"{where}: unknown key(s) {sorted(unknown)}.")
    try:
        phase = Phase(
            name=str(raw["name"]),
            duration=float(raw["duration"]),
            users=int(raw["users"]),
            spawn_rate=float(raw.get("spawn_rate") or raw["users"] or 1),
            faults=raw.get("faults") or None,
        )
    except KeyError as exc:
        raise PlanError(f"{where}: missing {exc.args[0]!r}.") from None
    except (TypeError, ValueError) as exc:
        raise PlanError(f"{where}: {exc}.") from None
    if not (math.isfinite(phase.duration) and phase.duration > 0):
        raise PlanError(f"{where}: duration must be > 0.")
    if phase.users < 0 or not (math.isfinite(phase.spawn_rate) and phase.spawn_rate > 0):
        raise PlanError(f"{where}: users must be >= 0 and spawn_rate > 0.")
    if phase.faults is not None and not isinstance(phase.faults, dict):
        raise PlanError(f"{where}: faults must be an object (a partial fault state) or null.")
    return phase
