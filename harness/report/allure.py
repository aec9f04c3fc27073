"""Allure: each scenario's charts (SVG) and verdicts, attached to its test result.

Under pytest with allure-pytest active, ``attach_to_allure`` adds them to the running
test item (allure-pytest writes the results where ``--alluredir`` says). ``harness run``
has no allure-pytest, so ``write_allure_results`` writes the same content in Allure's
result-file format (``<uuid>-result.json`` + ``<uuid>-attachment.<ext>``) itself: no
dependency, and ``allure generate reports/<run>/allure-results`` reads it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.report.chart_spec import receiver_palette
from harness.report.model import Report, ScenarioReport
from harness.report.redact import redact
from harness.report.view import ScenarioView, check_label, scenario_view, scenario_views

if TYPE_CHECKING:
    from harness.engine.result import ScenarioResult
    from harness.prepare import PreparedRun


def verdict_text(s: ScenarioReport) -> str:
    lines = [f"could not run: {s.error}"] if s.error else []
    for v in s.verdicts:
        formula = f"  [window = {v.window_formula}]" if v.window_formula else ""
        lines.append(
            f"[{'ok' if v.passed else 'FAIL'}] {check_label(v.check)}: {v.message}{formula}"
        )
    return "\n".join(lines) + "\n"


def attach_to_allure(result: ScenarioResult, prepared: PreparedRun) -> None:
    """Attach the charts and verdicts to the current test, when allure-pytest is active."""
    try:
        import allure
    except ImportError:
        return
    s = ScenarioReport.model_validate(json.loads(json.dumps(result.to_dict(), default=str)))
    view = scenario_view(
        s,
        "a",
        receiver_palette([*prepared.receivers, *(n.receiver for n in s.notifications)]),
        {},
        prepared.intervals.evaluation,
    )
    secrets = prepared.secrets
    for a in view.alerts:
        allure.attach(
            redact(a.svg, secrets),
            name=f"{a.alert} chart",
            attachment_type=allure.attachment_type.SVG,
        )
    allure.attach(
        redact(verdict_text(s), secrets),
        name="verdicts",
        attachment_type=allure.attachment_type.TEXT,
    )


def write_allure_results(report: Report, out: Path, secrets: Iterable[str] = ()) -> Path:
    """One Allure test result per scenario, its verdicts as steps, charts attached."""
    out.mkdir(parents=True, exist_ok=True)
    secrets = tuple(secrets)

    def write(name: str, text: str) -> str:
        (out / name).write_text(redact(text, secrets), encoding="utf-8")
        return name

    for view in scenario_views(report):
        attachments = [
            {
                "name": f"{a.alert} chart",
                "type": "image/svg+xml",
                "source": write(f"{uuid.uuid4()}-attachment.svg", a.svg),
            }
            for a in view.alerts
        ]
        attachments.append(
            {
                "name": "verdicts",
                "type": "text/plain",
                "source": write(f"{uuid.uuid4()}-attachment.txt", verdict_text(view.report)),
            }
        )
        result = _test_result(report, view, attachments)
        write(f"{result['uuid']}-result.json", json.dumps(result, indent=2, ensure_ascii=False))
    return out


def _test_result(report: Report, view: ScenarioView, attachments: list[Any]) -> dict[str, Any]:
    s = view.report
    failures = [v.message for v in s.verdicts if not v.passed]
    status = "broken" if s.error else ("passed" if s.passed else "failed")
    message = s.error or "; ".join(failures) or None
    return {
        "uuid": str(uuid.uuid4()),
        "historyId": hashlib.md5(s.id.encode(), usedforsecurity=False).hexdigest(),
        "fullName": f"scenarios.{s.id}",
        "name": s.id,
        "status": status,
        "statusDetails": {"message": message} if message else {},
        "stage": "finished",
        "start": int(s.started * 1000),
        "stop": int(s.ended * 1000),
        "labels": [
            {"name": "suite", "value": "alert scenarios"},
            {"name": "framework", "value": "alert-harness"},
            *({"name": "feature", "value": a.alert} for a in view.alerts),
        ],
        "parameters": [{"name": "time scale", "value": str(report.time_scale)}],
        "steps": [
            {
                "name": f"{check_label(v.check)}: {v.message}",
                "status": "passed" if v.passed else "failed",
                "stage": "finished",
                "start": int(s.started * 1000),
                "stop": int(s.ended * 1000),
            }
            for v in s.verdicts
        ],
        "attachments": attachments,
        "description": s.source or "",
    }
