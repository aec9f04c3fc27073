"""The SLO file: objectives, the metrics their indicators read, and the burn-rate windows.

One schema (pydantic) is the single source of truth; ``load_slo(path)`` reads a file
with errors that name its line. Durations are Prometheus strings (``180ms``, ``1h``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import promql_parser as pp
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.durations import parse_duration
from harness.errors import InputError
from harness.rules import promql
from harness.yamlsource import load_model


class SloError(InputError):
    """An SLO file that cannot be used."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: object) -> str:
    """A positive Prometheus duration; a bare number is refused (seconds or minutes?)."""
    if parse_duration(value) <= 0:  # type: ignore[arg-type]  # ValueError says why
        raise ValueError(f"duration must be positive, got {value!r}")
    return str(value)


def _selector(value: str) -> str:
    try:
        node = promql.parse(value)
    except promql.PromQLError as exc:
        raise ValueError(f"not PromQL: {exc}") from None
    if not isinstance(node, pp.VectorSelector):
        raise ValueError(f'must be a plain series selector such as metric{{label="x"}}: {value}')
    return value


class Indicators(_Model):
    """Series selectors the indicators are computed from (counters and a histogram)."""

    requests: str = "http_requests_total"
    errors: str = 'http_requests_total{status_code=~"5.."}'
    latency_buckets: str = "http_request_duration_seconds_bucket"
    # Labels kept when the rules aggregate (one ratio per value of these).
    aggregate_by: tuple[str, ...] = ("job",)

    _check = field_validator("requests", "errors", "latency_buckets")(_selector)


class LatencyObjective(_Model):
    quantile: float = Field(gt=0, lt=1)
    threshold: str  # a duration, e.g. 180ms

    _check = field_validator("threshold", mode="before")(_duration)

    @property
    def threshold_s(self) -> float:
        return parse_duration(self.threshold)


class ErrorRatioObjective(_Model):
    max: float = Field(gt=0, lt=1)


class BurnRateAlert(_Model):
    """One multiwindow alert: both windows burn faster than ``factor`` x the budget."""

    alert: str = Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")
    long: str
    short: str
    factor: float = Field(gt=0)
    severity: str
    notify: Literal["page", "ticket"]

    _check = field_validator("long", "short", mode="before")(_duration)

    @model_validator(mode="after")
    def _short_is_shorter(self) -> BurnRateAlert:
        if parse_duration(self.short) >= parse_duration(self.long):
            raise ValueError(f"short window {self.short} must be shorter than long {self.long}")
        return self


# The Site Reliability Workbook, ch. 5 "Alerting on SLOs", table 5-8: 2% of a 30-day
# budget in 1 h and 5% in 6 h page; 10% in 3 days opens a ticket.
_WORKBOOK: tuple[tuple[str, str, str, float, str, Literal["page", "ticket"]], ...] = (
    # alert, long window, short window, factor, severity, notify
    ("AvailabilityFastBurn", "1h", "5m", 14.4, "critical", "page"),
    ("AvailabilityMediumBurn", "6h", "30m", 6, "critical", "page"),
    ("AvailabilitySlowBurn", "3d", "6h", 1, "warning", "ticket"),
)
WORKBOOK_ALERTS = tuple(
    BurnRateAlert(alert=a, long=lw, short=sw, factor=f, severity=sev, notify=n)
    for a, lw, sw, f, sev, n in _WORKBOOK
)


class AvailabilityObjective(_Model):
    """Share of requests that do not fail with a 5xx, over ``period``."""

    target: float = Field(gt=0, lt=1)
    period: str = "30d"
    burn_rate_alerts: tuple[BurnRateAlert, ...] = WORKBOOK_ALERTS

    _check = field_validator("period", mode="before")(_duration)

    @property
    def budget(self) -> float:
        """The error budget: the share of requests allowed to fail."""
        return 1.0 - self.target

    @model_validator(mode="after")
    def _unique_names(self) -> AvailabilityObjective:
        names = [a.alert for a in self.burn_rate_alerts]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"alert names must be unique: {', '.join(dupes)}")
        return self


class SloFile(_Model):
    service: str = Field(min_length=1)
    description: str = ""
    indicators: Indicators = Field(default_factory=Indicators)
    latency: LatencyObjective
    error_ratio: ErrorRatioObjective
    availability: AvailabilityObjective
    # Added to every generated alert (e.g. team: backend); runbook for their annotations.
    labels: dict[str, str] = Field(default_factory=dict)
    runbook_url: str = ""


def load_slo(path: Path) -> SloFile:
    return load_model(path, SloFile, SloError, "SLO file")
