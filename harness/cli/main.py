"""The `harness` command. Subcommands live in their own modules and register here.

Every HarnessError becomes one clear message on stderr and exit code 2; no traceback.
"""

from __future__ import annotations

import signal
import sys

import click

from harness.errors import EXIT_BAD_INPUT, HarnessError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="alert-harness")
def cli() -> None:
    """Prove that Prometheus alerts fire, resolve and notify, end to end."""


def _register() -> None:
    # Imported here so a subcommand's import cost is paid only by the harness command.
    from importlib import import_module

    names = (
        "up", "run", "rules", "lint", "report", "slo",
        "backtest", "promtool_test", "tune", "probes",
    )
    for name in names:
        cli.add_command(import_module(f"harness.cli.{name}").command)


def main(argv: list[str] | None = None) -> None:
    _register()
    from harness.cli.interrupts import interrupts_unwind

    try:
        # Subcommands return their exit code (0 all held, 1 an expectation failed).
        # SIGTERM and SIGHUP unwind like Ctrl-C: every command stops what it started.
        with interrupts_unwind():
            rv = cli.main(args=argv, standalone_mode=False)
    except HarnessError as exc:
        click.echo(f"harness: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:
        click.echo("harness: interrupted", err=True)
        sys.exit(_interrupted_code(exc))
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(rv if isinstance(rv, int) else 0)


def _interrupted_code(exc: BaseException) -> int:
    """128 + the number of the signal that stopped the run (130 for Ctrl-C, 143 for
    SIGTERM); ``interrupts_unwind`` names it in the KeyboardInterrupt click wrapped."""
    cause = exc.__cause__ or exc.__context__
    name = cause.args[0] if isinstance(cause, KeyboardInterrupt) and cause.args else "SIGINT"
    try:
        return 128 + signal.Signals[name]
    except KeyError:
        return 128 + signal.SIGINT


if __name__ == "__main__":
    main()
