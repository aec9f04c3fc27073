"""The one way a YAML input's problem is worded: file, line, key path, message, hint.

``yaml_error`` words PyYAML's exceptions (syntax, duplicate keys, limits, characters
YAML does not allow); ``located`` puts a message at a key path of a loaded document;
``unknown`` and ``suggest`` give the did-you-mean for a name that is not among the
choices. The pydantic side is ``harness.yamlsource.validation``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from harness.errors import InputError
from harness.yamlsource.positions import DuplicateKeyError, Key, LimitError, format_path, line_of

E = TypeVar("E", bound=InputError)


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` -> did you mean 'x'?`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" -> did you mean '{close[0]}'?" if close else ""


def unknown(what: str, word: str, choices: Iterable[str]) -> tuple[str, str]:
    """Message and hint for an unknown name: ``Unknown alert 'X' -> did you mean 'Y'?``."""
    listed = sorted(set(choices))
    none = f"there is no {what} to refer to"
    hint = f"valid {plural(what)}: {', '.join(listed)}" if listed else none
    return f"Unknown {what} '{word}'{suggest(word, listed)}", hint


def plural(word: str) -> str:
    """``phase`` -> ``phases``, ``notify`` -> ``notifies``, ``status`` -> ``statuses``."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "sh", "ch")) else "s")


def located(
    error: type[E],
    path: Path | str,
    data: Any,
    loc: Sequence[Key],
    message: str,
    hint: str | None = None,
) -> E:
    """``error`` at the entry ``loc`` of the document ``data`` (loaded with positions)."""
    return error(
        message, path=path, line=line_of(data, loc), key=format_path(loc) or None, hint=hint
    )


def yaml_error(
    exc: yaml.YAMLError, path: Path | str, error: type[InputError], text: str = ""
) -> InputError:
    """PyYAML's problem at its line and column, and where an unclosed construct began."""
    if isinstance(exc, yaml.reader.ReaderError):
        # The reader counts characters, not lines: find the line in the text.
        line = text.count("\n", 0, exc.position) + 1 if text else None
        start = text.rfind("\n", 0, exc.position) + 1
        return error(
            f"Invalid YAML: character {exc.character:#06x} is not allowed in YAML text "
            f"(column {exc.position - start + 1})",
            path=path,
            line=line,
        )
    if not isinstance(exc, yaml.MarkedYAMLError):
        return error(f"Invalid YAML: {exc}", path=path)
    mark, context = exc.problem_mark or exc.context_mark, exc.context_mark
    line = mark.line + 1 if mark else None
    if isinstance(exc, DuplicateKeyError):
        return error(f"Duplicate key {exc.problem}", path=path, line=line)
    if isinstance(exc, LimitError):
        return error(f"Refused: {exc.problem}", path=path, line=line,
                     hint="a scenario, rule file or configuration never needs this much")
    message = f"Invalid YAML: {exc.problem or exc.context or 'cannot parse'}"
    end = len(text.rstrip())
    if text and mark and mark.index >= end:
        # "got <stream end>": the line to fix is where the unclosed construct began.
        if context and context.index < end:
            message += f"\n  {exc.context} that starts here (column {context.column + 1})"
            return error(message, path=path, line=context.line + 1)
        return error(message + " at the end of the file", path=path,
                     line=text.count("\n", 0, end) + 1)
    if mark is not None:
        message += f" (column {mark.column + 1})"
    if exc.problem and exc.context and context and mark and context.line != mark.line:
        message += f"\n  {exc.context} that starts on line {context.line + 1}"
    return error(message, path=path, line=line)
