"""report.json: every expectation with its window, observed time and verdict, plus the
rules and routes used, the time scale, the intervals, the options and the stack's
versions. Its shape is ``harness.report.model.Report`` (docs/report.schema.json)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
from dataclasses import asdict
from importlib import metadata
from typing import Any

from harness import __version__
from harness.engine.suite import SuiteResult
from harness.prepare import PreparedRun
from harness.report.redact import redact
from harness.stack.binaries import program_versions

SCHEMA_VERSION = 1
LIBRARIES = ("locust", "prometheus-client", "fastapi")


def versions() -> dict[str, str]:
    out = {
        "harness": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpus": str(os.cpu_count() or "?"),
    }
    for lib in LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[lib] = metadata.version(lib)
    return {**out, **program_versions()}


def alert_rules(prepared: PreparedRun) -> list[dict[str, Any]]:
    """Each alert as written, with its ``for:`` as the stack ran it."""
    scaled = {r.name: r for r in prepared.rules}
    out = []
    for rule in prepared.original_rules:
        ran = scaled.get(rule.name, rule)
        out.append(
            {
                "name": rule.name,
                "expr": rule.expr,
                "group": rule.group,
                "source": str(rule.source),
                "line": rule.line,
                "for_s": rule.for_s,
                "scaled_for_s": ran.for_s,
                "keep_firing_for_s": rule.keep_firing_for_s,
                "labels": dict(rule.labels),
                "annotations": dict(rule.annotations),
            }
        )
    return out


def suite_to_dict(suite: SuiteResult) -> dict[str, Any]:
    prepared, options = suite.prepared, suite.options
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
        "options": {
            "backend": options.backend,
            "parallel": options.parallel,
            "load_workers": options.load_workers,
            "alerts": list(options.alerts),
        },
        "inputs": {
            "rules": [str(p) for p in prepared.rule_sources],
            "alertmanager_config": str(prepared.alertmanager_source)
            if prepared.alertmanager_source
            else None,
            "alerts": alert_rules(prepared),
            "receivers": list(prepared.receivers),
            "scaled_rules": [
                {"file": name, "yaml": text} for name, text in prepared.stack_spec.rule_files
            ],
            "rendered_alertmanager": prepared.stack_spec.alertmanager_yaml,
        },
        "notes": list(prepared.notes),
        "warnings": list(prepared.warnings),
        "versions": versions(),
        "scenarios": [r.to_dict() for r in suite.results],
    }


def finite(data: Any) -> Any:
    """Infinity and NaN are not JSON: written as null (an open window end)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite(v) for v in data]
    return data


def report_text(suite: SuiteResult) -> str:
    """report.json's text, secrets redacted."""
    text = json.dumps(finite(suite_to_dict(suite)), indent=2, default=str, allow_nan=False)
    return redact(text, suite.prepared.secrets)

