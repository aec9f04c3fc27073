"""The harness's one error family.

Every error a user can cause (bad input) or meet (an environment that cannot run)
is a ``HarnessError``: the CLI and the pytest plugin print its message alone, with
no traceback, and exit with ``exit_code`` (2). Third-party exceptions are mapped
into these with ``raise X from None`` where the original adds nothing for a user.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class HarnessError(Exception):
    """Base of every error the harness reports to a person. Exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class InputError(HarnessError):
    """A file the user gave is unreadable or invalid; names the file and line."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if path is not None:
            where = f"Error in {path}"
            if line is not None:
                where += f", line {line}"
            if key:
                where += f" ({key})"
            where += ":\n  "
        super().__init__(where + message, hint=hint)
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key = key


class ScenarioError(InputError):
    """A scenario file does not match the schema or names something unknown."""


class RuleError(InputError):
    """A rule file does not parse, or a rewrite (time scale) cannot be done."""


class ConfigError(InputError):
    """An Alertmanager/Prometheus configuration the harness cannot use."""


class StackError(HarnessError):
    """The stack cannot run here: a missing binary, a busy port, a readiness timeout."""


class MissingBinaryError(StackError):
    def __init__(self, binary: str, *, package: str | None = None) -> None:
        hint = f"install it: apt-get install -y {package}" if package else None
        super().__init__(f"Required program '{binary}' was not found on PATH.", hint=hint)
        self.binary = binary
