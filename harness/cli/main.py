"""The `harness` command. Subcommands live in their own modules and register here.

Every HarnessError becomes one clear message on stderr and exit code 2; no traceback.
"""

from __future__ import annotations

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

    for name in ("up", "run", "rules", "lint", "report", "slo", "backtest"):
        cli.add_command(import_module(f"harness.cli.{name}").command)


def main(argv: list[str] | None = None) -> None:
    _register()
    try:
        # Subcommands return their exit code (0 all held, 1 an expectation failed).
        rv = cli.main(args=argv, standalone_mode=False)
    except HarnessError as exc:
        click.echo(f"harness: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("harness: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
