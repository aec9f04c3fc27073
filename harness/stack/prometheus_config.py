"""prometheus.yml for one stack, rendered from compose/prometheus/prometheus.yml.j2, the
rule files beside it, and Prometheus's command line (both backends)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from harness.durations import format_duration
from harness.errors import ConfigError
from harness.paths import COMPOSE_DIR
from harness.stack.rundir import RunDir
from harness.stack.spec import Intervals, StackSpec

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


def write_prometheus_config(
    spec: StackSpec, run: RunDir, *, api: str, worker: str, alertmanager: str
) -> Path:
    """prometheus.yml and the spec's rule files under the run directory's prometheus/.

    ``api``, ``worker``, ``alertmanager``: host:port as Prometheus reaches them.
    """
    rule_paths = write_rule_files(spec.rule_files, run.subdir("prometheus/rules"))
    config = run.subdir("prometheus") / "prometheus.yml"
    jobs = [ScrapeJob("api", api), ScrapeJob("worker", worker)]
    config.write_text(
        render_prometheus_config(
            spec.intervals, jobs=jobs, alertmanager=alertmanager, rule_files=rule_paths
        )
    )
    return config


def write_rule_files(rule_files: Sequence[tuple[str, str]], directory: Path) -> list[Path]:
    """Write each (file name, YAML text) into ``directory``; ConfigError for a name that
    is not a plain file name or is used twice."""
    paths = []
    for name, text in rule_files:
        if not name or Path(name).name != name or name in (".", ".."):
            raise ConfigError(f"Rule file name {name!r} must be a plain file name.")
        path = directory / name
        if path.exists():
            raise ConfigError(f"Two rule files are both named {name!r}.")
        path.write_text(text)
        paths.append(path)
    return paths


def prometheus_flags(
    spec: StackSpec, config: Path, *, storage: str | Path, listen: str
) -> list[str]:
    """Prometheus's flags; ``listen`` is host:port."""
    return [
        f"--config.file={config}",
        f"--storage.tsdb.path={storage}",
        f"--web.listen-address={listen}",
        f"--rules.alert.resend-delay={format_duration(spec.intervals.resend_delay)}",
        "--web.enable-lifecycle",
        "--web.enable-admin-api",  # TSDB snapshots: each scenario's recording
    ]


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
