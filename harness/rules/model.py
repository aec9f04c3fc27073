"""Alert rules as the harness sees them: what a rule file says, with where it says it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule of a rule file (durations in seconds, as written, before scaling)."""

    name: str
    expr: str
    group: str
    source: Path
    line: int  # line of the rule's `alert:` key, 1-based
    expr_line: int | None = None  # line of its `expr:` key; None: unknown (use ``line``)
    for_s: float = 0.0
    keep_firing_for_s: float = 0.0
    group_interval_s: float | None = None  # the group's `interval:`; None: the global one
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    # Longest range window ([5m], subquery range) in the expression, seconds; 0 if none.
    max_range_s: float = 0.0
    # True if the expression uses rate/increase/irate/delta/*_over_time over a range:
    # the condition itself can lag the fault by up to the window (docs/TIMING.md, "Rate condition").
    uses_range: bool = False


@dataclass(frozen=True)
class RecordingRule:
    """One recording rule; kept apart from alerts, but its windows shape the alerts that use it."""

    name: str  # the `record:` metric name
    expr: str
    group: str
    source: Path
    line: int  # line of the rule's `record:` key, 1-based
    expr_line: int | None = None  # line of its `expr:` key; None: unknown (use ``line``)
    group_interval_s: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    max_range_s: float = 0.0
    uses_range: bool = False


@dataclass(frozen=True)
class RuleGroup:
    name: str
    source: Path
    line: int
    interval_s: float | None = None
    limit: int | None = None
    rules: tuple[AlertRule | RecordingRule, ...] = ()  # in file order


@dataclass(frozen=True)
class RuleFile:
    """A loaded rule file: its groups, and the document as read (for rewriting)."""

    source: Path
    groups: tuple[RuleGroup, ...] = ()
    document: Any = None  # the YAML document as plain dicts and lists, keys in file order

    @property
    def alerts(self) -> tuple[AlertRule, ...]:
        return tuple(r for g in self.groups for r in g.rules if isinstance(r, AlertRule))

    @property
    def recording(self) -> tuple[RecordingRule, ...]:
        return tuple(r for g in self.groups for r in g.rules if isinstance(r, RecordingRule))
