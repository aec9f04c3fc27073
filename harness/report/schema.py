"""The report.json JSON schema, exported from ``harness.report.model``.

Regenerate the committed copy with ``python -m harness.report.schema``; a unit test
fails when ``docs/report.schema.json`` is out of date. The export forbids keys the
models do not describe (``closed``), so new data must be described before it validates.
"""

from __future__ import annotations

from harness.paths import PROJECT_DIR
from harness.report.model import Report
from harness.yamlsource.schema_export import ExportedSchema

SCHEMA_PATH = PROJECT_DIR / "docs" / "report.schema.json"
SCHEMA = ExportedSchema(Report, "Alert-harness report (report.json)", SCHEMA_PATH, closed=True)
report_json_schema = SCHEMA.schema
render_json_schema = SCHEMA.render
write_json_schema = SCHEMA.write

if __name__ == "__main__":
    print(f"wrote {write_json_schema()}")
