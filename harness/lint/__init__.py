"""`harness lint`: PromQL and Alertmanager mistakes found before they ship.

Public surface: ``lint_paths(paths, LintOptions(...)) -> LintReport`` and the check ids
in ``harness.lint.checks.CHECKS``. Rule files, Grafana dashboards and Alertmanager
configurations are told apart by content (``detect``); every PromQL check works on the
promql_parser AST, with label sets from ``catalogue`` (the spec's metric families).
"""

from harness.lint.model import Finding, LintOptions
from harness.lint.run import LintReport, lint_paths

__all__ = ["Finding", "LintOptions", "LintReport", "lint_paths"]
