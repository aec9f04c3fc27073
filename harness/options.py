"""Run options, declared once for both the `harness run` CLI and the pytest plugin.

Each option has one name, type, default and help text; `click_options` and
`add_pytest_options` turn the same table into click decorators and pytest
`addoption` calls, and `RunOptions` is what the rest of the harness receives.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from harness.errors import HarnessError
from harness.paths import CORRECTED_DIR, REPORTS_DIR

DEFAULT_TIME_SCALE = 60.0
# Bounds of the numeric options: 1 is real time; at 3600 an hour of alerting is a second.
TIME_SCALE_RANGE = (1.0, 3600.0)
Shard = tuple[int, int]  # --shard I/N: (I, N), the I-th of N shards, 1 <= I <= N
MAX_SHARDS = 1000


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
    database: str = "sqlite"  # the target's: sqlite, or postgres (the stack's own server)
    shard: Shard | None = None  # --shard I/N; None: every scenario


@dataclass(frozen=True)
class _Opt:
    name: str  # long option without dashes
    dest: str
    help: str
    type: Any = str
    default: Any = None
    multiple: bool = False
    minimum: float | None = None  # numeric options: the accepted range, both ends included
    maximum: float | None = None

    def check(self, value: Any) -> Any:
        """``value`` when within bounds; a HarnessError naming the option and its range."""
        if self.minimum is not None and value < self.minimum:
            raise HarnessError(f"Invalid --{self.name} {value:.10g}: at least {self.minimum:g}"
                               f" (accepted: {self.minimum:g} to {self.maximum:g})")
        if self.maximum is not None and value > self.maximum:
            raise HarnessError(f"Invalid --{self.name} {value:.10g}: at most {self.maximum:g}"
                               f" (accepted: {self.minimum:g} to {self.maximum:g})")
        return value


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
        minimum=TIME_SCALE_RANGE[0],
        maximum=TIME_SCALE_RANGE[1],
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
        "load-workers",
        "load_workers",
        "Locust worker processes (0: one plain process)",
        int,
        None,
        minimum=0,
        maximum=32,
    ),
    _Opt(
        "parallel",
        "parallel",
        "Scenarios run side by side, each on its own stack",
        int,
        None,
        minimum=1,
        maximum=16,
    ),
    _Opt(
        "database",
        "database",
        "Target database: sqlite (default) or postgres (a PostgreSQL of the stack's own)",
        str,
        None,
    ),
    _Opt(
        "shard",
        "shard",
        "Run only shard I of N (I/N) of the selected scenarios, split by scenario id",
        str,
        None,
    ),
)


def build_options(values: dict[str, Any]) -> RunOptions:
    """RunOptions from parsed values (None or empty means: keep the default)."""
    defaults = RunOptions()
    kwargs: dict[str, Any] = {}
    for opt in OPTIONS:
        value = values.get(opt.dest)
        if value is None or (opt.multiple and not value):
            continue
        kwargs[opt.dest] = tuple(value) if opt.multiple else opt.check(value)
    if "backend" in kwargs and kwargs["backend"] not in ("local", "containers"):
        raise HarnessError(f"Unknown --backend {kwargs['backend']!r}: local or containers")
    if "database" in kwargs and kwargs["database"] not in ("sqlite", "postgres"):
        raise HarnessError(f"Unknown --database {kwargs['database']!r}: sqlite or postgres")
    if "shard" in kwargs:
        kwargs["shard"] = parse_shard(kwargs["shard"])
    return RunOptions(**{**defaults.__dict__, **kwargs})


def parse_shard(text: str) -> Shard:
    """``--shard I/N`` -> (I, N); HarnessError for anything else (harness.engine.shard
    splits the scenarios)."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not found:
        raise HarnessError(f"Invalid --shard {text!r}: I/N, e.g. 1/4 (the first of four)")
    index, count = int(found.group(1)), int(found.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise HarnessError(f"Invalid --shard {text}: N from 1 to {MAX_SHARDS}")
    if not 1 <= index <= count:
        raise HarnessError(f"Invalid --shard {text}: I from 1 to N ({count})")
    return index, count


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
        ptype = str if opt.type is Path else _pytest_type(opt)
        group.addoption(
            *names,
            dest=f"harness_{opt.dest}",
            action="append" if opt.multiple else "store",
            type=ptype,
            default=None,
            help=opt.help,
        )


def _pytest_type(opt: _Opt) -> Any:
    """The option's type for argparse, refusing out-of-range values with the CLI's words."""
    if opt.minimum is None and opt.maximum is None:
        return opt.type

    def convert(text: str) -> Any:
        try:
            return opt.check(opt.type(text))
        except (ValueError, HarnessError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = opt.type.__name__  # argparse names the type in its messages
    return convert


def options_from_pytest(config: Any) -> RunOptions:
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        raw = config.getoption(f"harness_{opt.dest}")
        if raw is not None and opt.type is Path:
            raw = [Path(v) for v in raw] if opt.multiple else Path(raw)
        values[opt.dest] = raw
    return build_options(values)
