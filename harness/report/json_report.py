"""report.json: every expectation with its window, observed time and verdict, plus the
rules and routes used, the time scale, the intervals and the stack's versions."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

from harness import __version__
from harness.engine.suite import SuiteResult
from harness.report.redact import redact

SCHEMA_VERSION = 1


def binary_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for name in ("prometheus", "prometheus-alertmanager", "redis-server"):
        path = shutil.which(name)
        if not path:
            continue
        try:
            proc = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            continue
        first = (proc.stdout or proc.stderr).strip().splitlines()
        out[name] = first[0] if first else "?"
    return out


def suite_to_dict(suite: SuiteResult) -> dict[str, Any]:
    prepared = suite.prepared
    verdicts = [v for r in suite.results for v in r.verdicts]
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": suite.run_id,
        "harness_version": __version__,
        "started": suite.started,
        "ended": suite.ended,
        "passed": suite.passed,
        "summary": {
            "scenarios": len(suite.results),
            "scenarios_failed": sum(not r.passed for r in suite.results),
            "expectations": len(verdicts),
            "expectations_failed": sum(not v.passed for v in verdicts),
        },
        "time_scale": prepared.time_scale,
        "intervals": asdict(prepared.intervals),
        "inputs": {
            "rules": [str(p) for p in prepared.rule_sources],
            "alertmanager_config": str(prepared.alertmanager_source)
            if prepared.alertmanager_source
            else None,
            "scaled_rules": [
                {"file": name, "yaml": text} for name, text in prepared.stack_spec.rule_files
            ],
            "rendered_alertmanager": prepared.stack_spec.alertmanager_yaml,
        },
        "notes": list(prepared.notes),
        "warnings": list(prepared.warnings),
        "versions": {"python": platform.python_version(), **binary_versions()},
        "scenarios": [r.to_dict() for r in suite.results],
    }


def write_json_report(suite: SuiteResult, path: Path | None = None) -> Path:
    path = path or suite.report_dir / "report.json"
    text = json.dumps(suite_to_dict(suite), indent=2, default=str)
    path.write_text(redact(text, suite.prepared.secrets))
    return path
