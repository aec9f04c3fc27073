"""Every YAML input of the harness, read one way: scenarios, rule files, Alertmanager
configurations, SLO files and the query checks.

- ``read_text``: regular files only (a FIFO would block), UTF-8 with the line of a bad
  byte, binary files refused.
- ``parse_document``: YAML with the line of every key and item
  (``LineDict``, ``LineList``, ``line_of``), duplicate keys refused, nesting and alias
  expansion bounded (``positions``), merge keys (``<<: *anchor``) resolved for every
  reader below, merged keys keeping the anchor's lines (``merge``).
- ``load_model``: a file's document validated into a pydantic model
  (``validation_error``: pydantic's errors as one message, did-you-mean included).
- ``Source``: the node tree, for formats checked by hand (rule files, Alertmanager).
- ``load_plain``: plain dicts and lists, for a file that is rewritten and dumped again.
- ``schema_export.ExportedSchema``: a model's JSON schema, committed under docs/.

Every problem is an ``InputError`` (or the subclass the caller names) worded one way::

    Error in scenarios/dlq-flood.yaml, line 12 (expect[0].alert):
      Unknown alert 'DLQGrowng' -> did you mean 'DLQGrowing'?
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from harness.errors import InputError
from harness.yamlsource.messages import located, suggest, unknown, yaml_error
from harness.yamlsource.nodes import Source
from harness.yamlsource.positions import (
    MAX_DEPTH,
    MAX_NODES,
    Key,
    KeyPath,
    LimitedLoader,
    LineDict,
    LineList,
    format_path,
    line_of,
    node_line,
    parse_positions,
)
from harness.yamlsource.read import read_text
from harness.yamlsource.validation import validation_error

M = TypeVar("M", bound=pydantic.BaseModel)

__all__ = [
    "MAX_DEPTH", "MAX_NODES", "Key", "KeyPath", "LimitedLoader", "LineDict", "LineList", "Source",
    "format_path", "line_of", "load_model", "load_plain", "located", "node_line",
    "parse_document", "read_text", "suggest", "unknown", "validation_error", "yaml_error",
]


def parse_document(text: str, path: Path | str, error: type[InputError] = InputError) -> Any:
    """The YAML ``text`` with positions (None when empty); ``error`` naming ``path``."""
    try:
        return parse_positions(text)
    except yaml.YAMLError as exc:
        raise yaml_error(exc, path, error, text) from None


def load_plain(path: Path | str, error: type[InputError] = InputError, what: str = "file") -> Any:
    """The YAML file at ``path`` as plain dicts and lists (to rewrite and dump again),
    read and bounded like every other input."""
    text = read_text(path, error, what)
    try:
        return yaml.load(text, Loader=LimitedLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise yaml_error(exc, path, error, text) from None


def load_model(
    path: Path | str, model: type[M], error: type[InputError] = InputError, what: str = "file"
) -> M:
    """``model`` from the YAML file at ``path``; ``error`` (file, line, key) if it does not fit."""
    data = parse_document(read_text(path, error, what), path, error)
    if data is None:
        raise error(f"The {what} is empty", path=path)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise validation_error(exc, path, data, model, error) from None
