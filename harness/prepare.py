"""From the user's inputs to a stack that runs them: scaled rules, rendered routes, intervals.

``prepare(rules, alertmanager_config, time_scale)`` loads every rule file (any user's,
not only ours), rewrites it for the time scale, renders the Alertmanager
configuration so every receiver points at the capture receiver, and picks the
stack's intervals. The result carries what verdicts and reports need: the scaled
rules (windows are computed from them), the route tree Alertmanager runs (notification
windows follow it), the notes (e.g. a PagerDuty v1 receiver
tested through v2) and the secrets to redact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from harness.errors import InputError, RuleError
from harness.receivers.routes import Route, parse_route_tree
from harness.rules.load import load_rules, load_rules_text
from harness.rules.model import AlertRule
from harness.rules.scale import scale_rules
from harness.stack.alertmanager_config import default_alertmanager_config
from harness.stack.binaries import LOCAL_STACK_PROGRAMS, require_binaries
from harness.stack.spec import RECEIVER_URL_TOKEN, Intervals, StackSpec

# Production intervals the time scale divides (Prometheus defaults / the spec's).
PROD_SCRAPE_S = 15.0
PROD_EVALUATION_S = 15.0
PROD_RESEND_DELAY_S = 60.0
PROD_QUEUE_COLLECT_S = 30.0  # the spec's setInterval for queue gauges
# Scrapes faster than this cost the target real CPU (docs/TIMING.md).
MIN_SCRAPE_S = 0.5


@dataclass(frozen=True)
class PreparedRun:
    """Everything derived from the inputs, shared by every scenario of a run."""

    stack_spec: StackSpec
    rules: tuple[AlertRule, ...]  # scaled: windows are computed from these
    original_rules: tuple[AlertRule, ...]
    rule_sources: tuple[Path, ...]
    alertmanager_source: Path | None
    receivers: tuple[str, ...]
    routes: Route  # the tree Alertmanager runs: rendered, timers scaled
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()

    @property
    def intervals(self) -> Intervals:
        return self.stack_spec.intervals

    @property
    def time_scale(self) -> float:
        return self.stack_spec.time_scale

    def alert_names(self) -> list[str]:
        return [r.name for r in self.rules]

    def rule(self, name: str) -> AlertRule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(name)

    def evaluation_of(self, name: str) -> float:
        rule = self.rule(name)
        return rule.group_interval_s or self.intervals.evaluation

    def for_scenario(self, label: str) -> StackSpec:
        return replace(self.stack_spec, run_label=label)


def pick_intervals(time_scale: float) -> Intervals:
    """S, E, R and the queue-collection period for time scale k (docs/TIMING.md, "Time scale")."""
    scrape = max(MIN_SCRAPE_S, PROD_SCRAPE_S / time_scale)
    return Intervals(
        scrape=scrape,
        evaluation=max(MIN_SCRAPE_S, PROD_EVALUATION_S / time_scale),
        resend_delay=max(0.2, PROD_RESEND_DELAY_S / time_scale),
        queue_collect=max(0.1, PROD_QUEUE_COLLECT_S / time_scale),
    )


def prepare(
    *,
    rules: Sequence[Path],
    alertmanager_config: Path | None,
    time_scale: float,
    binaries: Sequence[str] = LOCAL_STACK_PROGRAMS,
) -> PreparedRun:
    """``binaries``: programs the chosen backend runs on this host, checked first so a
    missing one is reported before any other work (amtool renders the routes)."""
    require_binaries((*binaries, "amtool"))
    if not (time_scale > 0 and math.isfinite(time_scale)):
        raise InputError(f"--time-scale must be a positive number, got {time_scale!r}")
    intervals = pick_intervals(time_scale)
    originals: list[AlertRule] = []
    scaled: list[AlertRule] = []
    files: list[tuple[str, str]] = []
    warnings: list[str] = []
    for i, path in enumerate(rules):
        rule_file = load_rules(path)
        result = scale_rules(rule_file, time_scale, scrape_interval_s=intervals.scrape)
        warnings += result.warnings
        originals += rule_file.alerts
        scaled += load_rules_text(result.yaml_text, path).alerts
        files.append((f"{i:02d}-{Path(path).name}", result.yaml_text))
    _no_duplicate_alerts(scaled)
    am_yaml, receivers, notes, secrets, routes = _render_alertmanager(
        alertmanager_config, time_scale
    )
    spec = StackSpec(
        rule_files=tuple(files),
        alertmanager_yaml=am_yaml,
        intervals=intervals,
        time_scale=time_scale,
    )
    return PreparedRun(
        stack_spec=spec,
        rules=tuple(scaled),
        original_rules=tuple(originals),
        rule_sources=tuple(Path(p) for p in rules),
        alertmanager_source=alertmanager_config,
        receivers=receivers,
        routes=routes,
        notes=notes,
        warnings=tuple(warnings),
        secrets=secrets,
    )


def build_stack_spec(
    *,
    rules: Sequence[Path] = (),
    alertmanager_config: Path | None = None,
    time_scale: float = 1.0,
    binaries: Sequence[str] | None = None,
) -> StackSpec:
    """The StackSpec alone (for `harness up`); ``binaries`` None: the local stack's."""
    return prepare(
        rules=rules,
        alertmanager_config=alertmanager_config,
        time_scale=time_scale,
        binaries=LOCAL_STACK_PROGRAMS if binaries is None else binaries,
    ).stack_spec


def _no_duplicate_alerts(rules: Sequence[AlertRule]) -> None:
    seen: dict[str, AlertRule] = {}
    for rule in rules:
        if rule.name in seen:
            first = seen[rule.name]
            raise RuleError(
                f"alert {rule.name!r} is defined twice (also at {first.source}:{first.line}); "
                "scenarios name alerts, so names must be unique",
                path=rule.source,
                line=rule.line,
            )
        seen[rule.name] = rule


def _render_alertmanager(
    path: Path | None, time_scale: float
) -> tuple[str | None, tuple[str, ...], tuple[str, ...], tuple[str, ...], Route]:
    if path is None:  # the stack runs its default configuration: its routes
        default = default_alertmanager_config(RECEIVER_URL_TOKEN, time_scale=time_scale)
        return None, ("default",), (), (), parse_route_tree(yaml.safe_load(default))
    from harness.receivers.render import render_alertmanager_config

    rendered = render_alertmanager_config(path, time_scale=time_scale)
    return (
        rendered.yaml_text,
        tuple(rendered.receivers),
        # Templates were rendered once (amtool), before any stack: a failing one is said.
        (*rendered.notes, *(f"template: {p}" for p in rendered.template_problems)),
        tuple(rendered.secrets),
        rendered.route_tree,
    )
