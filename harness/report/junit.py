"""junit.xml for `harness run` (pytest writes its own with --junitxml)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.engine.suite import SuiteResult
from harness.report.redact import redact


def write_junit(suite: SuiteResult, path: Path | None = None) -> Path:
    path = path or suite.report_dir / "junit.xml"
    root = ET.Element("testsuite", name="alert-harness", tests=str(len(suite.results)))
    failures = errors = 0
    for result in suite.results:
        case = ET.SubElement(
            root,
            "testcase",
            classname="scenarios",
            name=result.scenario_id,
            time=f"{result.ended - result.started:.3f}",
        )
        if result.error:
            errors += 1
            ET.SubElement(case, "error", message=result.error).text = result.error
        elif not result.passed:
            failures += 1
            text = "\n".join(v.message for v in result.failures())
            ET.SubElement(case, "failure", message=result.failures()[0].message).text = text
        ET.SubElement(case, "system-out").text = "\n".join(
            f"[{'ok' if v.passed else 'FAIL'}] {v.message}" for v in result.verdicts
        )
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    xml = ET.tostring(root, encoding="unicode")
    path.write_text(redact(xml, suite.prepared.secrets))
    return path
