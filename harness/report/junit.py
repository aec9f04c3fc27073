"""junit.xml for `harness run` (pytest writes its own with --junitxml) and `harness merge`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.engine.suite import SuiteResult
from harness.report.redact import redact


@dataclass(frozen=True)
class JunitCase:
    """One scenario as a testcase; ``failure`` (message, text) is read only when it failed."""

    name: str
    seconds: float
    error: str | None
    passed: bool
    failure: tuple[str, str]
    verdicts: Sequence[tuple[bool, str]]  # (passed, message)


def junit_xml(cases: Sequence[JunitCase]) -> str:
    root = ET.Element("testsuite", name="alert-harness", tests=str(len(cases)))
    failures = errors = 0
    for c in cases:
        case = ET.SubElement(
            root, "testcase", classname="scenarios", name=c.name, time=f"{c.seconds:.3f}"
        )
        if c.error:
            errors += 1
            ET.SubElement(case, "error", message=c.error).text = c.error
        elif not c.passed:
            failures += 1
            message, text = c.failure
            ET.SubElement(case, "failure", message=message).text = text
        ET.SubElement(case, "system-out").text = "\n".join(
            f"[{'ok' if ok else 'FAIL'}] {message}" for ok, message in c.verdicts
        )
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    return ET.tostring(root, encoding="unicode")


def write_junit(suite: SuiteResult, path: Path | None = None) -> Path:
    """From the SuiteResult, not report.json: junit.xml even if report.json won't parse."""
    path = path or suite.report_dir / "junit.xml"
    cases = []
    for result in suite.results:
        failed = result.failures() if not (result.error or result.passed) else []
        failure = (
            (failed[0].message, "\n".join(v.message for v in failed)) if failed else ("", "")
        )
        cases.append(JunitCase(
            result.scenario_id, result.ended - result.started, result.error, result.passed,
            failure, [(v.passed, v.message) for v in result.verdicts],
        ))
    path.write_text(redact(junit_xml(cases), suite.prepared.secrets))
    return path
