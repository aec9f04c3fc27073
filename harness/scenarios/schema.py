"""The scenario JSON schema, exported from the pydantic models (the single source of truth).

Regenerate the committed copy with ``python -m harness.scenarios.schema``; a unit test
fails when ``docs/scenario.schema.json`` is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.paths import PROJECT_DIR
from harness.scenarios.model import Scenario

SCHEMA_PATH = PROJECT_DIR / "docs" / "scenario.schema.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON schema of a scenario file (what editors and other tools can validate with)."""
    schema = Scenario.model_json_schema()
    return {**schema, "$schema": SCHEMA_DIALECT, "title": "Alert-harness scenario"}


def render_json_schema() -> str:
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_json_schema(path: Path = SCHEMA_PATH) -> Path:
    """Write the schema to ``path`` (default ``docs/scenario.schema.json``)."""
    path.write_text(render_json_schema(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_json_schema()}")
