"""Run options, declared once for both the `harness run` CLI and the pytest plugin.

Each option has one name, type, default and help text; `click_options` and
`add_pytest_options` turn the same table into click decorators and pytest
`addoption` calls, and `RunOptions` is what the rest of the harness receives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from harness.paths import CORRECTED_DIR, REPORTS_DIR

DEFAULT_TIME_SCALE = 60.0


@dataclass(frozen=True)
class RunOptions:
    rules: tuple[Path, ...] = (
        CORRECTED_DIR / "prometheus-alerts.yml",
        CORRECTED_DIR / "slo-burn-rate.yml",  # generated from slo.yml (harness slo generate)
    )
    alertmanager_config: Path = CORRECTED_DIR / "alertmanager.yml"
    time_scale: float = DEFAULT_TIME_SCALE
    report_dir: Path = REPORTS_DIR
    alerts: tuple[str, ...] = ()  # --alert: only scenarios expecting something of these
    marks: tuple[str, ...] = ()  # --mark: only scenarios carrying one of these marks
    backend: str = "local"
    load_workers: int = 0
    parallel: int = 1


@dataclass(frozen=True)
class _Opt:
    name: str  # long option without dashes
    dest: str
    help: str
    type: Any = str
    default: Any = None
    multiple: bool = False


OPTIONS: tuple[_Opt, ...] = (
    _Opt(
        "rules",
        "rules",
        "Prometheus rule file(s) under test (repeatable). "
        "Default: compose/corrected/prometheus-alerts.yml and slo-burn-rate.yml",
        Path,
        None,
        multiple=True,
    ),
    _Opt(
        "alertmanager-config",
        "alertmanager_config",
        "Alertmanager configuration under test. Default: compose/corrected/alertmanager.yml",
        Path,
        None,
    ),
    _Opt(
        "time-scale",
        "time_scale",
        f"Divide every alerting duration by K (1 = real time). Default {DEFAULT_TIME_SCALE:g}",
        float,
        None,
    ),
    _Opt("report-dir", "report_dir", "Where reports/<run-id>/ go. Default: reports/", Path, None),
    _Opt(
        "alert",
        "alerts",
        "Only scenarios that expect something of this alert (repeatable)",
        str,
        None,
        multiple=True,
    ),
    _Opt("mark", "marks", "Only scenarios with this mark: alerts, slo, queries, containers "
         "(repeatable; under pytest use -m)", str, None, multiple=True),
    _Opt("backend", "backend", "Stack backend: local (default) or containers", str, None),
    _Opt(
        "load-workers", "load_workers", "Locust worker processes (0: one plain process)", int, None
    ),
    _Opt("parallel", "parallel", "Scenarios run side by side, each on its own stack", int, None),
)


def build_options(values: dict[str, Any]) -> RunOptions:
    """RunOptions from parsed values (None or empty means: keep the default)."""
    defaults = RunOptions()
    kwargs: dict[str, Any] = {}
    for opt in OPTIONS:
        value = values.get(opt.dest)
        if value is None or (opt.multiple and not value):
            continue
        kwargs[opt.dest] = tuple(value) if opt.multiple else value
    if "backend" in kwargs and kwargs["backend"] not in ("local", "containers"):
        raise click.BadParameter(f"unknown backend {kwargs['backend']!r}: local or containers")
    return RunOptions(**{**defaults.__dict__, **kwargs})


def click_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a click command with every run option."""
    for opt in reversed(OPTIONS):
        ctype = click.Path(path_type=Path) if opt.type is Path else opt.type
        func = click.option(
            f"--{opt.name}",
            opt.dest,
            type=ctype,
            default=None,
            multiple=opt.multiple,
            help=opt.help,
        )(func)
    return func


def add_pytest_options(group: Any) -> None:
    """Register every run option on a pytest option group (prefixed --harness-... aliases)."""
    for opt in OPTIONS:
        names: Sequence[str] = (f"--{opt.name}",)
        ptype = str if opt.type is Path else opt.type
        group.addoption(
            *names,
            dest=f"harness_{opt.dest}",
            action="append" if opt.multiple else "store",
            type=ptype,
            default=None,
            help=opt.help,
        )


def options_from_pytest(config: Any) -> RunOptions:
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        raw = config.getoption(f"harness_{opt.dest}")
        if raw is not None and opt.type is Path:
            raw = [Path(v) for v in raw] if opt.multiple else Path(raw)
        values[opt.dest] = raw
    return build_options(values)
