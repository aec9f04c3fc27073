"""``${VAR}`` interpolation in scenario values, with a specific error for a missing variable.

``${VAR}`` is replaced by the variable's value, ``${VAR:-default}`` falls back to
``default`` when it is unset or empty, and ``$${`` writes a literal ``${``. Only string
values are interpolated (never keys), after parsing, so a value cannot inject YAML.
The environment is read when a file is loaded, never at import time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.yamlsource import KeyPath, LineDict, LineList

_REF = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class MissingVariable(Exception):
    """An unset ``${VAR}`` (or a malformed reference) at ``path`` in the document."""

    def __init__(self, message: str, path: KeyPath, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.hint = hint


def interpolate(data: Any, env: Mapping[str, str], path: KeyPath = ()) -> Any:
    """Replace ``${VAR}`` in every string value of ``data`` in place; returns ``data``."""
    if isinstance(data, LineDict | dict):
        for key, value in data.items():
            data[key] = interpolate(value, env, (*path, key))
    elif isinstance(data, LineList | list):
        for index, value in enumerate(data):
            data[index] = interpolate(value, env, (*path, index))
    elif isinstance(data, str) and "${" in data:
        return _substitute(data, env, path)
    return data


def _substitute(text: str, env: Mapping[str, str], path: KeyPath) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        body = match.group(1)
        name, sep, default = body.partition(":-")
        if not _NAME.fullmatch(name):
            raise MissingVariable(
                f"Invalid variable reference '${{{body}}}'",
                path,
                hint="write ${NAME} or ${NAME:-default}; $${ writes a literal ${",
            )
        value = env.get(name)
        if sep:
            return value or default
        if value is not None:
            return value
        raise MissingVariable(
            f"Environment variable '{name}' is not set",
            path,
            hint=f"export {name}=..., or give a default: ${{{name}:-value}}",
        )

    return _REF.sub(replace, text)
