"""The check table (checks.yaml): which panel is judged against which ground truth.

``load_checks()`` validates the table; ``plan_checks(queries, checks)`` pairs every
dashboard query with its panel's check (a panel without an entry is an error: a new
panel must say what it should show, or why nothing can tell).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.dashboards import DashboardQuery, iter_queries
from harness.errors import InputError
from harness.paths import COMPOSE_DIR
from harness.queries.judge import Tolerance
from harness.queries.sources import TRUTHS
from harness.queries.units import UNITS
from harness.yamlsource import load_model, unknown

CHECKS_FILE = Path(__file__).with_name("checks.yaml")
PHASES = ("steady", "faults", "latency", "backlog", "dlq", "end")
CORRECTED_SUFFIX = " (corrected)"
DASHBOARDS_DIR = COMPOSE_DIR / "grafana" / "dashboards"
SOURCES = ("spec", "corrected")


class _Tolerance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    abs: float = Field(default=0.0, ge=0)
    rel: float = Field(default=0.0, ge=0)
    bucket: bool = False


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dashboard: str
    panel: str
    truth: str
    params: dict[str, Any] = Field(default_factory=dict)
    by: tuple[str, ...] = ()
    phase: Literal["steady", "faults", "latency", "backlog", "dlq", "end"]
    unit: str = "count"
    tolerance: _Tolerance = Field(default_factory=_Tolerance)
    why: str = ""
    spec_defect: str = ""
    # How a series' values over the phase become one number: mean, or median (quantile
    # panels: a window that caught a rare slow request must not drag the whole phase).
    reduce: Literal["mean", "median"] = "mean"
    # Targets (refId) of the panel judged without a truth, with the reason.
    no_truth_refs: dict[str, str] = Field(default_factory=dict)
    # A problem outside the query that makes every version of the panel fail (e.g. the
    # target's exposition): the checks are strict xfails until it is fixed.
    known_issue: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Check:
        if self.truth != "none" and self.truth not in TRUTHS:
            raise ValueError("\n  hint: ".join(unknown("truth", self.truth, TRUTHS)))
        if self.truth == "none" and not self.why:
            raise ValueError("a check without a truth says why (key 'why')")
        if self.unit not in UNITS:
            raise ValueError("\n  hint: ".join(unknown("unit", str(self.unit), UNITS)))
        return self

    @property
    def key(self) -> tuple[str, str]:
        return (self.dashboard, self.panel)

    def tol(self) -> Tolerance:
        t = self.tolerance
        return Tolerance(abs=t.abs, rel=t.rel, bucket=t.bucket)


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checks: list[Check]


def load_checks(path: Path = CHECKS_FILE) -> dict[tuple[str, str], Check]:
    out: dict[tuple[str, str], Check] = {}
    for check in load_model(path, _Table).checks:
        if check.key in out:
            raise InputError(
                f"panel {check.panel!r} of {check.dashboard!r} has two entries", path=path
            )
        out[check.key] = check
    return out


@dataclass(frozen=True)
class PlannedQuery:
    """One dashboard query and the check of its panel."""

    source: str  # "spec" | "corrected"
    query: DashboardQuery
    check: Check

    @property
    def dashboard(self) -> str:
        return base_title(self.query.dashboard.title)

    @property
    def title(self) -> str:
        return f"panel {self.query.panel.title!r} ({self.query.dashboard.title})"

    @property
    def test_id(self) -> str:
        ref = self.query.target.ref_id
        many = len(self.query.panel.targets) > 1
        return f"{self.source}/{self.dashboard}/{self.query.panel.title}" + (
            f"/{ref}" if many else ""
        )

    @property
    def judged(self) -> bool:
        """False when no ground truth applies to this query (it only has to run)."""
        return (
            self.check.truth != "none" and self.query.target.ref_id not in self.check.no_truth_refs
        )

    @property
    def expected_to_fail(self) -> str:
        """The spec defect this query is expected to show with numbers, or ''."""
        return self.check.spec_defect if self.source == "spec" and self.judged else ""


def base_title(title: str) -> str:
    return title.removesuffix(CORRECTED_SUFFIX)


def plan_checks(
    queries: Iterable[tuple[str, DashboardQuery]], checks: Mapping[tuple[str, str], Check]
) -> list[PlannedQuery]:
    """Each (source, query) with its check; InputError naming panels the table lacks."""
    planned, missing = [], []
    for source, q in queries:
        key = (base_title(q.dashboard.title), q.panel.title)
        if key not in checks:
            missing.append(f"{key[0]} / {key[1]} ({q.path})")
            continue
        planned.append(PlannedQuery(source, q, checks[key]))
    if missing:
        raise InputError(
            "panels without an entry in harness/queries/checks.yaml:\n  " + "\n  ".join(missing),
            hint="add what each should show (truth), or truth: none with the reason (why)",
        )
    return planned


def project_queries(root: Path = DASHBOARDS_DIR) -> list[tuple[str, DashboardQuery]]:
    """Every query of the spec's and the corrected dashboards, tagged with its source."""
    return [(source, q) for source in SOURCES for q in iter_queries([root / source])]
