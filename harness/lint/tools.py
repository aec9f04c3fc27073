"""The upstream checkers, as findings: `promtool check rules`, `amtool check-config` on
the rendered configuration (placeholders such as <SLACK_WEBHOOK_URL> replaced by local
URLs first), and `amtool template render` on every notification template."""

from __future__ import annotations

import difflib
import re
import tempfile
from pathlib import Path

import yaml

from harness.errors import ConfigError
from harness.lint.amdoc import AmDoc
from harness.lint.checks.receivers import group_level_fields
from harness.lint.model import Finding
from harness.receivers.amtool import check_config_text
from harness.receivers.render import TOP_KEYS, render_alertmanager_text
from harness.receivers.templates import template_problems
from harness.rules.promtool import run_promtool

_AM_VERSION = "0.25"  # the harness's Alertmanager (harness.stack)
_UNKNOWN_FIELD = re.compile(r"field (\w+) not found in type")
# Keys Alertmanager 0.25 knows where a newer key would sit (routes, receivers,
# integrations, inhibit rules): an unknown field close to one of them is a typo.
_KNOWN_KEYS = (
    "receiver", "receivers", "group_by", "continue", "matchers", "match", "match_re",
    "group_wait", "group_interval", "repeat_interval", "mute_time_intervals",
    "active_time_intervals", "routes", "name", "send_resolved", "http_config", "url",
    "api_url", "channel", "text", "title", "to", "from", "smarthost", "headers", "html",
    "routing_key", "service_key", "severity", "description", "details", "source_matchers",
    "target_matchers", "equal", "templates", "time_intervals", "inhibit_rules", "global",
    "webhook_configs", "slack_configs", "email_configs", "pagerduty_configs",
    "opsgenie_configs", "victorops_configs", "telegram_configs", "sns_configs",
    "pushover_configs", "wechat_configs", "webex_configs", "discord_configs",
)


def promtool_findings(path: Path, text: str = "") -> list[Finding]:
    """`promtool check rules` on the file (on ``text`` when the rules are embedded, as in
    a PrometheusRule manifest): its errors, and its lint warnings (duplicate rules)."""
    if text and not _plain_rule_file(path, text):
        with tempfile.TemporaryDirectory() as tmp:
            rules = Path(tmp) / "rules.yml"
            rules.write_text(text, encoding="utf-8")
            result = run_promtool("check", "rules", str(rules))
    else:
        result = run_promtool("check", "rules", str(path))
    lines = [ln.strip() for ln in result.output.splitlines()
             if ln.strip() and not ln.startswith("Checking ") and ln.strip() != "FAILED:"
             and not ln.strip().startswith("SUCCESS")]
    if not result.ok:
        return [Finding("promtool-check-rules", path, "rule file",
                        "promtool check rules fails:\n  " + "\n  ".join(lines),
                        "Fix what promtool reports; Prometheus would refuse to load this "
                        "file.")]
    if any("duplicate rule" in ln for ln in lines):
        return [Finding("promtool-duplicate-rules", path, "rule file",
                        "promtool check rules warns:\n  " + "\n  ".join(lines),
                        "Remove or rename the duplicate: two rules writing the same series "
                        "overwrite each other's samples.")]
    return []


def _plain_rule_file(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def amtool_findings(am: AmDoc) -> tuple[list[Finding], list[str]]:
    """amtool's findings, and notes on what it could not check: keys newer than the
    harness's Alertmanager (e.g. `tracing`) are left out of the check, not refused."""
    notes: list[str] = []
    newer = [k for k in am.doc if k not in TOP_KEYS]
    text = am.text
    if newer:
        notes.append(f"{', '.join(map(str, newer))}: newer than Alertmanager "
                     f"{_AM_VERSION}, not checked")
        text = yaml.safe_dump({k: v for k, v in am.doc.items() if k in TOP_KEYS},
                              sort_keys=False)
    try:
        rendered = render_alertmanager_text(text, am.path, check=False)
    except ConfigError as exc:
        notes.append(f"amtool checks skipped: {exc.message}")
        return [], notes
    return _amtool(am, rendered.yaml_text, notes), notes


def _amtool(am: AmDoc, rendered_text: str, notes: list[str]) -> list[Finding]:
    found = []
    try:
        check_config_text(rendered_text, source=am.path)
    except ConfigError as exc:
        message = str(exc).partition(":\n  ")[2] or str(exc)
        newer = _newer_fields(message)
        if newer:
            notes.append(f"{', '.join(newer)}: newer than Alertmanager {_AM_VERSION} "
                         "(its amtool does not know them), not checked")
        else:
            found.append(Finding(
                "amtool-check-config", am.path, "configuration", message,
                "Fix what amtool reports; Alertmanager would refuse to load this "
                "configuration."))
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


def _newer_fields(message: str) -> list[str]:
    """Field names amtool does not know, if that is all it says and none of them looks
    like a misspelt key it knows (`recievers`): keys of a newer Alertmanager."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("line ")]
    fields = [m.group(1) for ln in errors if (m := _UNKNOWN_FIELD.search(ln))]
    if not fields or len(fields) != len(errors):
        return []
    if any(difflib.get_close_matches(f, _KNOWN_KEYS, n=1, cutoff=0.8) for f in fields):
        return []
    return sorted(set(fields))


def _field_path(am: AmDoc, receiver: str, field: str) -> str:
    for i, r in enumerate(am.doc.get("receivers") or []):
        if isinstance(r, dict) and str(r.get("name")) == receiver:
            return f"receivers[{i}].{field}"
    return "receivers"
