"""Grafana dashboards as the harness reads them: panels and their PromQL queries.

``load_dashboard(path)`` reads a dashboard JSON file (a dashboard model, or an export
wrapped as ``{"dashboard": {...}}``), panels inside rows included; ``iter_queries(paths)``
yields every Prometheus query of every panel. Queries of other datasources (Loki) are
kept apart in ``Panel.other_queries``.

The project's dashboards (compose/grafana/dashboards/) carry one extra panel key,
``"harness"``: ``origin`` says where a panel's queries come from ("spec": as the spec
wrote them; "added": the spec lists the panel without a query; "corrected": changed
from the spec, the description says why; "unchanged": the spec's, found correct) and
``expectData: false`` marks panels over metrics the target does not expose. Panel ids
are the same in a spec dashboard and its corrected version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.yamlsource import read_text

PROMETHEUS = "prometheus"


class DashboardError(InputError):
    """A dashboard file that cannot be read as a Grafana dashboard."""


@dataclass(frozen=True)
class Target:
    ref_id: str
    expr: str
    legend: str = ""
    datasource: str = PROMETHEUS  # the datasource type


@dataclass(frozen=True)
class Panel:
    id: int | None
    title: str
    description: str = ""
    queries: list[str] = field(default_factory=list)  # PromQL, in target order
    unit: str | None = None
    type: str = ""
    targets: list[Target] = field(default_factory=list)  # Prometheus targets
    other_queries: list[Target] = field(default_factory=list)  # other datasources
    origin: str | None = None  # "spec" | "added" | "corrected" | "unchanged"
    expect_data: bool = True

    @property
    def label(self) -> str:
        return f"panel {self.id} {self.title!r}" if self.id is not None else f"panel {self.title!r}"


@dataclass(frozen=True)
class Dashboard:
    title: str
    panels: list[Panel]
    uid: str | None = None
    path: Path | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DashboardQuery:
    """One PromQL query of one panel, with where it is."""

    path: Path
    dashboard: Dashboard
    panel: Panel
    target: Target

    @property
    def expr(self) -> str:
        return self.target.expr


def is_dashboard(document: Any) -> bool:
    """True for a Grafana dashboard model or an export wrapping one."""
    if isinstance(document, dict) and isinstance(document.get("dashboard"), dict):
        document = document["dashboard"]
    return isinstance(document, dict) and isinstance(document.get("panels"), list)


def load_dashboard(path: Path | str) -> Dashboard:
    path = Path(path)
    text = read_text(path, DashboardError, "dashboard file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DashboardError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    return parse_dashboard(document, path)


def parse_dashboard(document: Any, path: Path | str | None = None) -> Dashboard:
    source = Path(path) if path is not None else None
    if not is_dashboard(document):
        raise DashboardError("not a Grafana dashboard: no 'panels' list", path=source)
    if isinstance(document.get("dashboard"), dict):
        document = document["dashboard"]
    default = _datasource_type(document.get("datasource")) or PROMETHEUS
    panels = [_panel(p, default) for p in _flatten(document["panels"])]
    return Dashboard(
        title=str(document.get("title") or ""),
        panels=panels,
        uid=document.get("uid"),
        path=source,
        tags=[str(t) for t in document.get("tags") or []],
    )


def iter_queries(paths: Iterable[Path | str]) -> Iterator[DashboardQuery]:
    """Every Prometheus query of every panel of the dashboards at ``paths`` (files, or
    directories searched for *.json), in file and panel order."""
    for path in _files(paths):
        dashboard = load_dashboard(path)
        for panel in dashboard.panels:
            for target in panel.targets:
                yield DashboardQuery(path, dashboard, panel, target)


def _files(paths: Iterable[Path | str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        yield from sorted(path.rglob("*.json")) if path.is_dir() else [path]


def _flatten(panels: list[Any]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        if not isinstance(panel, dict):
            continue
        if panel.get("type") == "row":
            yield from _flatten(panel.get("panels") or [])  # collapsed rows hold their panels
        else:
            yield panel


def _datasource_type(datasource: Any) -> str | None:
    if isinstance(datasource, dict) and datasource.get("type"):
        return str(datasource["type"])
    if isinstance(datasource, str):  # old dashboards name the datasource
        return "loki" if "loki" in datasource.lower() else PROMETHEUS
    return None


def _panel(raw: dict[str, Any], default: str) -> Panel:
    panel_type = _datasource_type(raw.get("datasource")) or default
    targets: list[Target] = []
    others: list[Target] = []
    for i, target in enumerate(raw.get("targets") or []):
        if not isinstance(target, dict) or target.get("hide"):
            continue
        kind = _datasource_type(target.get("datasource")) or panel_type
        expr = target.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            continue
        item = Target(str(target.get("refId") or chr(ord("A") + i)), expr.strip(),
                      str(target.get("legendFormat") or ""), kind)
        (targets if kind == PROMETHEUS else others).append(item)
    defaults = (raw.get("fieldConfig") or {}).get("defaults") or {}
    meta = raw["harness"] if isinstance(raw.get("harness"), dict) else {}
    panel_id = raw.get("id")
    return Panel(
        id=panel_id if isinstance(panel_id, int) else None,
        title=str(raw.get("title") or ""),
        description=str(raw.get("description") or ""),
        queries=[t.expr for t in targets],
        unit=defaults.get("unit"),
        type=str(raw.get("type") or ""),
        targets=targets,
        other_queries=others,
        origin=meta.get("origin"),
        expect_data=bool(meta.get("expectData", True)),
    )
