"""The upstream checkers, as findings: `promtool check rules`, `amtool check-config` on
the rendered configuration (placeholders such as <SLACK_WEBHOOK_URL> replaced by local
URLs first), and `amtool template render` on every notification template."""

from __future__ import annotations

from pathlib import Path

from harness.errors import ConfigError
from harness.lint.amdoc import AmDoc
from harness.lint.checks.receivers import group_level_fields
from harness.lint.model import Finding
from harness.receivers.amtool import check_config_text
from harness.receivers.render import render_alertmanager_text
from harness.receivers.templates import template_problems
from harness.rules.promtool import run_promtool


def promtool_findings(path: Path) -> list[Finding]:
    result = run_promtool("check", "rules", str(path))
    if result.ok:
        return []
    lines = [ln.strip() for ln in result.output.splitlines()
             if ln.strip() and not ln.startswith("Checking ") and ln.strip() != "FAILED:"]
    return [Finding("promtool-check-rules", path, "rule file",
                    "promtool check rules fails:\n  " + "\n  ".join(lines),
                    "Fix what promtool reports; Prometheus would refuse to load this file.")]


def amtool_findings(am: AmDoc) -> list[Finding]:
    rendered = render_alertmanager_text(am.text, am.path, check=False)
    found = []
    try:
        check_config_text(rendered.yaml_text, source=am.path)
    except ConfigError as exc:
        found.append(Finding(
            "amtool-check-config", am.path, "configuration",
            str(exc).partition(":\n  ")[2] or str(exc),
            "Fix what amtool reports; Alertmanager would refuse to load this configuration."))
    receivers = [r for r in am.doc.get("receivers") or [] if isinstance(r, dict)]
    globs = [str((am.path.parent / t).resolve()) if not Path(t).is_absolute() else t
             for t in am.doc.get("templates") or []]
    for problem in template_problems(receivers, globs):
        if group_level_fields(problem.template):
            continue  # reported with its explanation by am-template-group-field
        found.append(Finding(
            "am-template-render", am.path, f"receiver {problem.receiver!r} {problem.field}",
            f"`{problem.template}` fails to render: {problem.error}. Alertmanager drops "
            "these notifications.",
            "Fix the template; try it with `amtool template render --template.text=...`.",
            line=am.line(_field_path(am, problem.receiver, problem.field)),
        ))
    return found


def _field_path(am: AmDoc, receiver: str, field: str) -> str:
    for i, r in enumerate(am.doc.get("receivers") or []):
        if isinstance(r, dict) and str(r.get("name")) == receiver:
            return f"receivers[{i}].{field}"
    return "receivers"
