"""What the lint checks and what it reports: queries with their origin, and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.lint.catalogue import Catalogue, default_catalogue
from harness.rules.model import AlertRule
from harness.rules.promql import Node

DEFAULT_SCRAPE_INTERVAL_S = 15.0  # the usual setting (Prometheus's built-in default: 1m)


@dataclass(frozen=True)
class Finding:
    check: str  # e.g. "ratio-unaggregated"
    path: Path
    subject: str  # "alert 'HighErrorRate'", "panel 2 'Error rate'", "route.routes[1]"
    message: str  # why it is wrong
    fix: str  # how to fix it
    line: int | None = None  # YAML files; dashboards name the panel instead
    expr: str | None = None

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "file": str(self.path), "line": self.line,
                "subject": self.subject, "message": self.message, "fix": self.fix,
                "expr": self.expr}


@dataclass(frozen=True)
class LintOptions:
    scrape_interval_s: float = DEFAULT_SCRAPE_INTERVAL_S
    catalogue: Catalogue = field(default_factory=default_catalogue)
    ignore: frozenset[str] = frozenset()
    tools: bool = True  # run promtool / amtool
    profile: str = "correctness"  # "policy": the project's own rules too (annotations...)

    def wants(self, check: str) -> bool:
        from harness.lint.checks import POLICY_CHECKS

        if check in self.ignore:
            return False
        return self.profile == "policy" or check not in POLICY_CHECKS


@dataclass(frozen=True)
class Query:
    """One PromQL expression and where it comes from."""

    expr: str
    node: Node
    path: Path
    subject: str
    kind: Literal["alert", "record", "panel"]
    line: int | None = None  # the expression's line (rules); None for panels
    rule_line: int | None = None  # the rule's `alert:`/`record:` line
    # Words that say what the query claims to measure: the alert's name, summary and
    # description, or the panel's title and description.
    claim: str = ""
    rule: AlertRule | None = None
    for_written: bool = False  # the rule says `for:` (even `for: 0m`)

    def finding(self, check: str, message: str, fix: str, *, at_rule: bool = False) -> Finding:
        """A finding on this query: at the expression's line, or the rule's (``at_rule``)."""
        line = self.rule_line if at_rule and self.rule_line is not None else self.line
        return Finding(check, self.path, self.subject, message, fix, line, self.expr)
