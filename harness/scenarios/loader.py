"""Load scenario files: YAML with positions -> ${ENV} -> schema -> cross-references -> variants.

Every problem is a ``ScenarioError`` naming the file, the line, the key path and,
where there are choices, a did-you-mean::

    Error in scenarios/dlq-flood.yaml, line 12 (expect[0].fires.after):
      Unknown phase 'fualt' -> did you mean 'fault'?

A file with ``variants:`` loads as one Scenario per variant (``name[variant]``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from harness.errors import InputError, ScenarioError
from harness.scenarios.env import MissingVariable, interpolate
from harness.scenarios.model import Scenario
from harness.yamlsource import (
    KeyPath,
    LineDict,
    located,
    parse_document,
    read_text,
    suggest,
    unknown,
    validation_error,
)

SUFFIXES = (".yaml", ".yml")


def load_scenarios(
    paths: Iterable[Path | str], *, env: Mapping[str, str] | None = None
) -> list[Scenario]:
    """Every scenario in ``paths`` (files, or directories searched for *.yaml / *.yml).

    Scenario ids (``name`` or ``name[variant]``) must be unique across the files.
    """
    seen: dict[str, Scenario] = {}
    out: list[Scenario] = []
    for file in _files(paths):
        for scenario in load_scenario(file, env=env):
            other = seen.get(scenario.id)
            if other is not None:
                raise ScenarioError(
                    f"Scenario '{scenario.id}' is also defined in {other.source}",
                    path=file,
                    line=scenario.line,
                    key="name",
                    hint="give one of them another 'name:'",
                )
            seen[scenario.id] = scenario
            out.append(scenario)
    return out


def load_scenario(path: Path | str, *, env: Mapping[str, str] | None = None) -> list[Scenario]:
    """The scenario in one file; one Scenario per variant when it declares ``variants:``."""
    return parse_scenario(read_text(path, ScenarioError, "scenario file"), path, env=env)


def parse_scenario(
    text: str, path: Path | str, *, env: Mapping[str, str] | None = None
) -> list[Scenario]:
    """Like ``load_scenario`` for text already read; ``path`` names it in errors."""
    path = Path(path)
    data = _parse(text, path)
    try:
        interpolate(data, os.environ if env is None else env)
    except MissingVariable as exc:
        raise located(ScenarioError, path, data, exc.path, exc.message, exc.hint) from None
    data.setdefault("name", path.stem)
    base = _validate(data, path)
    if not base.variants:
        return [base]
    return [_variant(data, base, i, path) for i in range(len(base.variants))]


def _files(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"No such scenario file or directory: {path}")
    return files


def _parse(text: str, path: Path) -> LineDict:
    data = parse_document(text, path, ScenarioError)
    if data is None:
        raise ScenarioError("The scenario file is empty", path=path)
    if not isinstance(data, LineDict):
        got = "a list" if isinstance(data, list) else repr(data)
        raise ScenarioError(
            f"A scenario is a mapping (name:, phases:, expect:, ...), not {got}",
            path=path,
            line=getattr(data, "line", 1),
        )
    return data


def _validate(data: LineDict, path: Path, variant: str | None = None) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        context = f" (in variant '{variant}')" if variant else ""
        raise validation_error(exc, path, data, Scenario, ScenarioError, context=context) from None
    scenario._source = path
    scenario._data = data
    scenario._variant = variant
    _check_references(scenario, data, path)
    return scenario


def _check_references(scenario: Scenario, data: LineDict, path: Path) -> None:
    """Phase names unique; every phase a scenario or variant refers to exists."""

    def fail(loc: KeyPath, message: str, hint: str | None = None) -> ScenarioError:
        return located(ScenarioError, path, data, loc, message, hint)

    phases = _check_phases(scenario, fail)
    _check_expectations(scenario, phases, fail)
    _check_variants(scenario, phases, fail)


class _Fail(Protocol):
    """Makes the ScenarioError to raise at ``loc`` of the file being checked."""

    def __call__(self, loc: KeyPath, message: str, hint: str | None = None) -> ScenarioError: ...


def _check_phases(scenario: Scenario, fail: _Fail) -> list[str]:
    """Phase names unique, per-phase users only with load, each fault kind once a phase."""
    phases: list[str] = []
    for i, phase in enumerate(scenario.phases):
        if phase.name in phases:
            raise fail(("phases", i, "name"), f"Duplicate phase '{phase.name}'")
        phases.append(phase.name)
        if phase.users is not None and scenario.load is None:
            raise fail(("phases", i, "users"), "'users' in a phase needs the scenario's 'load:'")
        kinds: list[str] = []
        for j, fault in enumerate(phase.faults):
            if fault.kind in kinds:
                raise fail(
                    ("phases", i, "faults", j, "kind"),
                    f"Fault '{fault.kind}' appears twice in phase '{phase.name}'",
                    "merge them into one entry",
                )
            kinds.append(fault.kind)
    return phases


def _check_phase(name: str, loc: KeyPath, phases: list[str], fail: _Fail) -> None:
    if name not in phases:
        raise fail(loc, *unknown("phase", name, phases))


def _check_expectations(scenario: Scenario, phases: list[str], fail: _Fail) -> None:
    for i, exp in enumerate(scenario.expect):
        if exp.fires:
            _check_phase(exp.fires.after, ("expect", i, "fires", "after"), phases, fail)
        if exp.resolves:
            _check_phase(exp.resolves.after, ("expect", i, "resolves", "after"), phases, fail)
            if exp.fires and phases.index(exp.resolves.after) < phases.index(exp.fires.after):
                raise fail(
                    ("expect", i, "resolves", "after"),
                    f"'{exp.alert}' cannot resolve after '{exp.resolves.after}': "
                    f"it fires after the later phase '{exp.fires.after}'",
                )
        if exp.never_fires and exp.never_fires.during:
            loc = ("expect", i, "never_fires", "during")
            _check_phase(exp.never_fires.during, loc, phases, fail)


def _check_variants(scenario: Scenario, phases: list[str], fail: _Fail) -> None:
    names: list[str] = []
    for i, variant in enumerate(scenario.variants):
        if variant.name in names:
            raise fail(("variants", i, "name"), f"Duplicate variant '{variant.name}'")
        names.append(variant.name)
        for phase_name, faults in variant.faults.items():
            _check_phase(phase_name, ("variants", i, "faults", phase_name), phases, fail)
            present = [f.kind for f in scenario.phase(phase_name).faults]
            for kind in faults:
                if kind not in present:
                    raise fail(
                        ("variants", i, "faults", phase_name, kind),
                        f"Phase '{phase_name}' has no '{kind}' fault to override"
                        f"{suggest(kind, present)}",
                        f"faults in '{phase_name}': {', '.join(present) or 'none'}",
                    )


def _variant(data: LineDict, base: Scenario, index: int, path: Path) -> Scenario:
    """The scenario with variant ``index``'s fault parameters and expectations applied."""
    merged = copy.deepcopy(data)
    patch = merged["variants"][index]
    for phase_name, faults in (patch.get("faults") or {}).items():
        phase = next(p for p in merged["phases"] if p.get("name") == phase_name)
        for kind, params in faults.items():
            fault = next(f for f in phase["faults"] if f.get("kind") == kind)
            for key, value in params.items():
                fault[key] = value
                # Errors in the merged fault point at the variant's line, where the value is.
                fault.lines[key] = params.lines.get(key, fault.lines.get(key, 0))
    if patch.get("expect") is not None:
        merged["expect"] = patch["expect"]
    return _validate(merged, path, variant=base.variants[index].name)
