"""The scenario JSON schema, exported from the pydantic models (the single source of truth).

Regenerate the committed copy with ``python -m harness.scenarios.schema``; a unit test
fails when ``docs/scenario.schema.json`` is out of date.
"""

from __future__ import annotations

from harness.paths import PROJECT_DIR
from harness.scenarios.model import Scenario
from harness.yamlsource.schema_export import ExportedSchema

SCHEMA_PATH = PROJECT_DIR / "docs" / "scenario.schema.json"
SCHEMA = ExportedSchema(Scenario, "Alert-harness scenario", SCHEMA_PATH)
# What editors and other tools can validate a scenario file with.
scenario_json_schema = SCHEMA.schema
render_json_schema = SCHEMA.render
write_json_schema = SCHEMA.write

if __name__ == "__main__":
    print(f"wrote {write_json_schema()}")
