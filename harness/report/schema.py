"""The report.json JSON schema, exported from ``harness.report.model``.

Regenerate the committed copy with ``python -m harness.report.schema``; a unit test
fails when ``docs/report.schema.json`` is out of date. The export forbids keys the
models do not describe, so new data must be described before it validates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.paths import PROJECT_DIR
from harness.report.model import Report

SCHEMA_PATH = PROJECT_DIR / "docs" / "report.schema.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def report_json_schema() -> dict[str, Any]:
    schema = Report.model_json_schema()
    _forbid_extra(schema)
    return {**schema, "$schema": SCHEMA_DIALECT, "title": "Alert-harness report (report.json)"}


def _forbid_extra(node: Any) -> None:
    """``additionalProperties: false`` on every object with declared properties."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _forbid_extra(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_extra(value)


def render_json_schema() -> str:
    return json.dumps(report_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_json_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(render_json_schema(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_json_schema()}")
