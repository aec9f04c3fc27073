"""prometheus.yml for one stack, rendered from compose/prometheus/prometheus.yml.j2."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from harness.durations import format_duration
from harness.errors import ConfigError
from harness.paths import COMPOSE_DIR
from harness.stack.spec import Intervals

TEMPLATE = COMPOSE_DIR / "prometheus" / "prometheus.yml.j2"


@dataclass(frozen=True)
class ScrapeJob:
    name: str  # job label: "api", "worker"
    target: str  # host:port


def render_prometheus_config(
    intervals: Intervals,
    *,
    jobs: Sequence[ScrapeJob],
    alertmanager: str,
    rule_files: Sequence[str | Path] = (),
    template: Path = TEMPLATE,
) -> str:
    """The configuration text: global S and E, one static job per target, rules, alerting.

    ``alertmanager`` is host:port. The scrape timeout is the scrape interval (Prometheus
    refuses a timeout longer than the interval; its 10 s default would be).
    """
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False
    )
    text = env.from_string(template.read_text()).render(
        scrape_interval=format_duration(intervals.scrape),
        scrape_timeout=format_duration(intervals.scrape),
        evaluation_interval=format_duration(intervals.evaluation),
        rule_files=[str(path) for path in rule_files],
        alertmanager=alertmanager,
        jobs=jobs,
    )
    return text


def check_config(path: Path, promtool: str = "promtool") -> str:
    """Run ``promtool check config`` on a written config (and its rule files).

    Returns promtool's output; ConfigError with that output if the check fails.
    """
    result = subprocess.run(
        [promtool, "check", "config", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise ConfigError(f"promtool rejects the configuration:\n{output}", path=path)
    return output
