"""A pydantic model's JSON schema, exported for editors and other tools, committed under
docs/ and kept current by a unit test (the scenario file, report.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class ExportedSchema:
    """The schema of ``model`` under ``title``, committed at ``path``. ``closed``: every
    object with declared properties gets ``additionalProperties: false``."""

    model: type[BaseModel]
    title: str
    path: Path
    closed: bool = False

    def schema(self) -> dict[str, Any]:
        schema = self.model.model_json_schema()
        if self.closed:
            _forbid_extra(schema)
        return {**schema, "$schema": SCHEMA_DIALECT, "title": self.title}

    def render(self) -> str:
        return json.dumps(self.schema(), indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path | None = None) -> Path:
        """Write the schema to ``path`` (default: the committed copy)."""
        target = path or self.path
        target.write_text(self.render(), encoding="utf-8")
        return target


def _forbid_extra(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _forbid_extra(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_extra(value)
