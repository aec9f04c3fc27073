"""The scenario schema: pydantic models, the single source of truth.

``docs/scenario.schema.json`` is exported from these models (``harness.scenarios.schema``)
and ``docs/SCENARIOS.md`` documents them. Checks that need the whole file (phase
references, variants) live in ``harness.scenarios.loader``; checks against the rules
under test in ``harness.scenarios.validate``.

Durations are production time strings, stored as seconds; the runner divides them by
the time scale. Fault magnitudes and load rates are never scaled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from harness.durations import format_duration, parse_duration
from harness.scenarios.fault_kinds import Fault
from harness.yamlsource import Key, line_of

DURATION_PATTERN = r"^(0|(?=[0-9])" + "".join(f"([0-9]+{u})?" for u in "ywdhms") + "([0-9]+ms)?)$"
_DURATION_SCHEMA = {
    "type": "string",
    "pattern": DURATION_PATTERN,
    "description": "Production time, e.g. '90s', '5m', '1h30m'; divided by the time scale.",
}
MARKS = ("alerts", "slo", "queries", "containers")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def _to_seconds(value: Any) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise PydanticCustomError("duration", str(exc)) from None


def _auto_or_seconds(value: Any) -> float | str:
    return "auto" if value == "auto" else _to_seconds(value)


def _label_value(value: Any) -> Any:
    # YAML reads `code: 500` as an int; label values are strings in Prometheus.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Duration = Annotated[float, BeforeValidator(_to_seconds), WithJsonSchema(_DURATION_SCHEMA)]
PhaseDuration = Annotated[
    float | Literal["auto"],
    BeforeValidator(_auto_or_seconds),
    WithJsonSchema({"anyOf": [{"const": "auto"}, _DURATION_SCHEMA]}),
]
Name = Annotated[str, Field(pattern=NAME_PATTERN)]
LabelValue = Annotated[str, BeforeValidator(_label_value)]
Mark = Literal["alerts", "slo", "queries", "containers"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Load(_Model):
    """Traffic for the whole scenario, driven by Locust in its own process."""

    locustfile: str = Field(min_length=1, description="A file under locustfiles/.")
    users: int | None = Field(default=None, gt=0, description="Concurrent Locust users.")
    spawn_rate: float | None = Field(default=None, gt=0, description="Users started per second.")
    rate: float | None = Field(
        default=None, gt=0, description="Total requests per second (constant-throughput pacing)."
    )
    user_classes: tuple[str, ...] = Field(
        default=(), description="Locust user classes to run (default: every class in the file)."
    )

    @model_validator(mode="after")
    def _users_or_rate(self) -> Load:
        if self.users is None and self.rate is None:
            raise ValueError("give 'users' (and optionally 'spawn_rate'), or 'rate'")
        if self.spawn_rate is not None and self.users is None:
            raise ValueError("'spawn_rate' needs 'users'")
        return self


class Phase(_Model):
    """A stretch of the scenario; its faults are on from its start to its end."""

    name: Name
    duration: PhaseDuration = Field(
        description="Production time, or 'auto': until every expectation on it is decided."
    )
    max: Duration | None = Field(default=None, description="Upper bound of an 'auto' phase.")
    users: int | None = Field(
        default=None,
        gt=0,
        description="Locust users during this phase (a surge, a lull); default: load.users.",
    )
    faults: tuple[Fault, ...] = ()

    @model_validator(mode="after")
    def _auto_needs_max(self) -> Phase:
        if self.duration == "auto" and self.max is None:
            raise ValueError("'duration: auto' needs 'max' (a safety bound, e.g. 'max: 30m')")
        if self.duration != "auto" and self.max is not None:
            raise ValueError("'max' only goes with 'duration: auto'")
        return self


class After(_Model):
    after: str = Field(description="Name of the phase whose start (fires) or end (resolves).")


class Fires(After):
    """``fires: {after: <phase>, within: <duration>}``: a detection budget on top of the
    window the rule's own timing gives (a late firing fails even if ``for:`` explains it)."""

    within: Duration | None = Field(
        default=None,
        gt=0,
        description="Detection budget: fired at most this long after the phase started.",
    )


class NeverFires(_Model):
    """``never_fires: true`` (the whole scenario) or ``never_fires: {during: <phase>}``."""

    during: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_true(cls, data: Any) -> Any:
        if data is True:
            return {}
        if not isinstance(data, dict):
            raise PydanticCustomError(
                "never_fires", "Expected true or {during: <phase>}, got {got}", {"got": repr(data)}
            )
        return data


_NEVER_FIRES_SCHEMA = {
    "anyOf": [
        {"const": True, "description": "Never, in the whole scenario."},
        {
            "type": "object",
            "properties": {"during": {"type": "string", "description": "A phase name."}},
            "additionalProperties": False,
        },
    ]
}


class Notifies(_Model):
    receivers: tuple[str, ...] = Field(default=(), description="Receivers that must be notified.")
    not_receivers: tuple[str, ...] = Field(default=(), description="Receivers that must not be.")
    fields: dict[str, LabelValue] = Field(
        default_factory=dict, description="Payload fields the receivers must see."
    )
    resolved: bool = Field(default=False, description="A resolved notification must follow.")
    within: Duration | None = Field(
        default=None,
        gt=0,
        description="Time-to-notify budget: each receiver notified at most this long after "
        "the `fires.after` phase started.",
    )

    @model_validator(mode="after")
    def _some_receiver(self) -> Notifies:
        if not self.receivers and not self.not_receivers:
            raise ValueError("give 'receivers' and/or 'not_receivers'")
        both = sorted(set(self.receivers) & set(self.not_receivers))
        if both:
            raise ValueError(f"{', '.join(both)} in both 'receivers' and 'not_receivers'")
        return self


class Expectation(_Model):
    """What must (or must not) happen to one alert."""

    alert: str = Field(min_length=1, description="Alert name in the rules under test.")
    labels: dict[str, LabelValue] = Field(
        default_factory=dict, description="Only alert instances carrying these labels count."
    )
    fires: Fires | None = None
    resolves: After | None = None
    never_fires: Annotated[NeverFires | None, WithJsonSchema(_NEVER_FIRES_SCHEMA)] = None
    notifies: Notifies | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Expectation:
        if self.never_fires is not None:
            extra = [k for k in ("fires", "resolves", "notifies") if getattr(self, k)]
            if extra:
                raise ValueError(f"'never_fires' cannot go with {', '.join(extra)}")
        elif self.fires is None:
            raise ValueError("give 'fires: {after: <phase>}' or 'never_fires'")
        return self

    def subject(self) -> str:
        """The alert with its label selector: ``NotificationDeliveryFailing{channel="sms"}``."""
        labels = ",".join(f'{k}="{v}"' for k, v in self.labels.items())
        return f"{self.alert}{{{labels}}}" if labels else self.alert

    def describe(self) -> str:
        """One line for reports: ``HighErrorRate fires after 'fault', resolves after 'fault'``."""
        parts = []
        if self.fires:
            within = self.fires.within
            budget = f" within {format_duration(within)}" if within is not None else ""
            parts.append(f"fires after '{self.fires.after}'{budget}")
        if self.resolves:
            parts.append(f"resolves after '{self.resolves.after}'")
        if self.never_fires:
            during = self.never_fires.during
            parts.append(f"never fires during '{during}'" if during else "never fires")
        if self.notifies:
            within = self.notifies.within
            budget = f" within {format_duration(within)}" if within is not None else ""
            parts.append("notifies " + ", ".join(self.notifies.receivers or ("nobody",)) + budget)
        return f"{self.subject()} {', '.join(parts)}"


class Variant(_Model):
    """A parametrized copy of the scenario, run as ``name[variant]``."""

    name: Name
    description: str = ""
    faults: dict[str, dict[str, dict[str, Any]]] = Field(
        default_factory=dict,
        description="phase -> fault kind -> parameters that replace the fault's own.",
    )
    expect: tuple[Expectation, ...] | None = Field(
        default=None, description="Replaces the scenario's expect list in this variant."
    )


class Scenario(_Model):
    """One scenario file (or one variant of it, after loading)."""

    name: str = Field(
        default="",
        pattern=r"^([A-Za-z0-9][A-Za-z0-9_.-]*)?$",
        description="Test id; default: file stem.",
    )
    description: str = ""
    marks: tuple[Mark, ...] = Field(default=(), description="pytest marks for the scenario's item.")
    load: Load | None = None
    phases: tuple[Phase, ...] = Field(min_length=1)
    expect: tuple[Expectation, ...] = Field(min_length=1)
    variants: tuple[Variant, ...] = ()

    _source: Path | None = PrivateAttr(None)
    _data: Any = PrivateAttr(None)
    _variant: str | None = PrivateAttr(None)

    @property
    def id(self) -> str:
        """The test id: ``name`` or ``name[variant]``."""
        return f"{self.name}[{self._variant}]" if self._variant else self.name

    @property
    def variant(self) -> str | None:
        return self._variant

    @property
    def source(self) -> Path | None:
        """The file the scenario came from (as given to the loader)."""
        return self._source

    @property
    def line(self) -> int:
        """Line of the scenario (its variant's entry for a variant), for pytest locations."""
        for i, variant in enumerate(self.variants):
            if variant.name == self._variant:
                return self.line_of(("variants", i)) or 1
        return self.line_of(("name",)) or 1

    def line_of(self, path: tuple[Key, ...]) -> int | None:
        """Line in the source file of the entry at ``path``, e.g. ``("expect", 0, "alert")``."""
        return line_of(self._data, path) if self._data is not None else None

    def phase(self, name: str) -> Phase:
        for phase in self.phases:
            if phase.name == name:
                return phase
        raise KeyError(name)

    def alerts(self) -> list[str]:
        """Alert names the scenario expects something of, in file order (for ``--alert``)."""
        return list(dict.fromkeys(e.alert for e in self.expect))
