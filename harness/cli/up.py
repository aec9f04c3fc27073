"""`harness up`: the stack for manual work; prints its URLs and stays until Ctrl-C/SIGTERM."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import click

from harness.errors import EXIT_OK, StackError
from harness.options import DEFAULT_TIME_SCALE, TIME_SCALE_RANGE
from harness.paths import LOCUSTFILES_DIR, PROJECT_DIR
from harness.stack import open_stack
from harness.stack.base import Stack
from harness.stack.control import StackControl


def _locust_hint(api_url: str) -> str:
    from harness.load.command import WATCH_FILE

    found = LOCUSTFILES_DIR.glob("*.py") if LOCUSTFILES_DIR.is_dir() else []
    files = sorted(f for f in found if f != WATCH_FILE)  # every run adds the watchdog itself
    hint = f"locust -f locustfiles/<file>.py --host {api_url}"
    if files:
        hint += f"   (locustfiles: {', '.join(f.name for f in files)})"
    return hint


def _report_scraping(stack: Stack) -> None:
    """Prometheus 2.42 picks up its targets about 5 s after start: say when it has."""
    try:
        stack.wait_scraped()
    except StackError as exc:
        click.echo(f"harness: warning: {exc}", err=True)
    else:
        click.echo("Prometheus is scraping the API and the worker and knows the Alertmanager.")


def _watch(stack: Stack) -> None:
    """Stay until interrupted; say so once if a service dies on its own."""
    expected = set(stack.pids())
    reported: set[str] = set()
    while True:
        time.sleep(0.5)
        gone = expected - set(stack.pids()) - reported
        for name in sorted(gone):
            click.echo(f"harness: warning: {name} is no longer running", err=True)
        reported |= gone


@click.command("up")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Prometheus rule file to load (repeatable). Default: compose/corrected/.",
)
@click.option(
    "--alertmanager-config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Alertmanager configuration (receivers are pointed at the capture receiver). "
    "Default: compose/corrected/alertmanager.yml.",
)
@click.option(
    "--time-scale",
    type=click.FloatRange(*TIME_SCALE_RANGE),
    default=DEFAULT_TIME_SCALE,
    show_default=True,
    help="Divide every alerting duration by K (1 = real time).",
)
@click.option(
    "--backend",
    type=click.Choice(["local", "containers"]),
    default="local",
    show_default=True,
    help="Local processes, or containers on a Docker engine.",
)
@click.option(
    "--database",
    type=click.Choice(["sqlite", "postgres"]),
    default="sqlite",
    show_default=True,
    help="The target's database: a SQLite file, or a PostgreSQL of the stack's own.",
)
@click.option(
    "--api-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Fixed port for the API (default: a free one).",
)
def command(
    rules: tuple[Path, ...],
    alertmanager_config: Path | None,
    time_scale: float,
    backend: str,
    database: str,
    api_port: int | None,
) -> int:
    """Bring the stack up for manual work; Ctrl-C stops everything."""
    from harness.options import RunOptions
    from harness.prepare import build_stack_spec

    defaults = RunOptions()
    rules = rules or defaults.rules
    alertmanager_config = alertmanager_config or defaults.alertmanager_config

    try:  # main() turns SIGTERM and SIGHUP into KeyboardInterrupt too
        binaries: tuple[str, ...] | None = None
        if backend == "containers":
            from harness.stack.containers import preflight

            preflight()
            binaries = ()
        spec = build_stack_spec(
            rules=list(rules),
            alertmanager_config=alertmanager_config,
            time_scale=time_scale,
            binaries=binaries,
        )
        spec = dataclasses.replace(spec, database=database)
        if api_port is not None:
            spec = dataclasses.replace(spec, api_port=api_port)
        with open_stack(spec, backend) as stack, StackControl(stack, spec.fault_token) as ctl:
            endpoints = stack.endpoints
            seconds = stack.startup_seconds
            took = f" in {seconds:.1f} s" if seconds is not None else ""
            click.echo(f"Stack is up{took} (time scale {time_scale:g}):")
            for label, url in endpoints.describe():
                click.echo(f"  {label + ':':<16} {url}")
            click.echo(
                f"  {'Stack control:':<16} {ctl.url}  (POST /services/<service>/<action>)"
            )
            click.echo(
                f"  {'Fault token:':<16} {spec.fault_token}  (header X-Fault-Token: faults, "
                "stack control, receiver inbox; random per run, HARNESS_FAULT_TOKEN sets it)"
            )
            click.echo(f"Load: {_locust_hint(endpoints.api)}")
            click.echo(
                f"      with HARNESS_FAULT_TOKEN={spec.fault_token} "
                f"HARNESS_STACK_CONTROL={ctl.url} for the fault controls in the web UI"
            )
            click.echo(
                "      with the Alerts and Notifications tabs: -f locustfiles/school.py,"
                f"locustfiles/addons/alerts_tab.py --prometheus-url {endpoints.prometheus} "
                f"--inbox-url {endpoints.receiver.rstrip('/')}/inbox "
                f"--fault-token {spec.fault_token}"
            )
            if Path.cwd() != PROJECT_DIR:
                click.echo(f"      (run it from {PROJECT_DIR})")
            click.echo(f"Admin page: {endpoints.api}/admin/monitoring  (role system_admin)")
            click.echo("Press Ctrl-C to stop.")
            _report_scraping(stack)
            _watch(stack)
    except KeyboardInterrupt:
        click.echo("Stack stopped.", err=True)
    return EXIT_OK
