"""A YAML file validated into a pydantic model, with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pydantic
import yaml

from harness.errors import InputError
from harness.scenarios.source import format_path, line_of, load_yaml

M = TypeVar("M", bound=pydantic.BaseModel)


def load_model(path: Path, model: type[M], error: type[InputError] = InputError) -> M:
    """``model`` from the YAML at ``path``; ``error`` (file, line, key) when it does not fit."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    return parse_model(text, path, model, error)


def parse_model(text: str, path: Path | str, model: type[M], error: type[InputError]) -> M:
    try:
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        line = mark.line + 1 if mark else None
        raise error(f"invalid YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", path=path) from None
    if data is None:
        raise error("the file is empty", path=path)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(k for k in first["loc"] if isinstance(k, str | int))
        more = exc.error_count() - 1
        message = first["msg"] + (f" (and {more} more problem(s))" if more else "")
        raise error(
            message, path=path, line=line_of(data, loc), key=format_path(loc) or None
        ) from None
