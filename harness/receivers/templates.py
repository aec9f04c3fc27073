"""Render every notification template of a configuration once, before Alertmanager does.

A template that fails at notification time makes Alertmanager drop that notification
(logged as "Notify for alerts failed ... unrecoverable error", never retried): the
receiver stays silent. ``amtool template render`` executes a template against example
notification data (the group level: ``.GroupLabels``, ``.CommonAnnotations``,
``.Alerts``), with Alertmanager's default templates and the configuration's own.
Every string containing ``{{`` in an integration's configuration is rendered.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.receivers.amtool import run_amtool

# Debian's prometheus-alertmanager ships the default templates (slack.default.title...).
DEFAULT_TEMPLATES = Path("/usr/share/prometheus/alertmanager/default.tmpl")


@dataclass(frozen=True)
class TemplateProblem:
    receiver: str
    field: str  # e.g. "pagerduty_configs[0].description"
    template: str
    error: str  # amtool's message

    def __str__(self) -> str:
        return (f"receiver {self.receiver!r} {self.field}: {self.template!r} fails to render "
                f"({self.error}); Alertmanager drops these notifications")


def template_problems(
    receivers: Sequence[dict[str, Any]], template_globs: Sequence[str] = ()
) -> list[TemplateProblem]:
    """Templates of the receivers' integrations that do not render."""
    candidates = [(str(r.get("name")), field, text) for r in receivers
                  for kind, configs in r.items() if kind != "name" and isinstance(configs, list)
                  for i, config in enumerate(configs)
                  for field, text in _templates(config, f"{kind}[{i}]")]
    if not candidates:
        return []
    globs = [str(DEFAULT_TEMPLATES)] if DEFAULT_TEMPLATES.exists() else []
    globs += list(template_globs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        errors = list(pool.map(lambda c: _render_error(c[2], globs), candidates))
    return [TemplateProblem(name, field, text, error)
            for (name, field, text), error in zip(candidates, errors, strict=True) if error]


def _templates(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _templates(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _templates(value, f"{path}[{i}]")
    elif isinstance(node, str) and "{{" in node:
        yield path, node


def _render_error(text: str, globs: Sequence[str]) -> str | None:
    if not globs:  # amtool needs one glob; an empty template file will do
        globs = ["/dev/null"]
    done = run_amtool("template", "render", *(f"--template.glob={g}" for g in globs),
                      f"--template.text={text}")
    if done.returncode == 0:
        return None
    message = (done.stderr or done.stdout).strip().removeprefix("amtool: error: ")
    if " not defined" in message and not DEFAULT_TEMPLATES.exists():
        return None  # a default template we could not load: inconclusive, not a failure
    return message
