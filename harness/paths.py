"""Where the project's own files live (compose/, scenarios/, locustfiles/)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
COMPOSE_DIR = PROJECT_DIR / "compose"
SPEC_DIR = COMPOSE_DIR / "spec"
CORRECTED_DIR = COMPOSE_DIR / "corrected"
SCENARIOS_DIR = PROJECT_DIR / "scenarios"
LOCUSTFILES_DIR = PROJECT_DIR / "locustfiles"
REPORTS_DIR = PROJECT_DIR / "reports"
# Run directories of the local backend; a marker file in each lets a later run sweep leftovers.
STATE_DIR = PROJECT_DIR / ".harness"
