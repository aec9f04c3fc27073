"""Findings as text for people (default) or JSON for tools."""

from __future__ import annotations

import json
from collections import Counter

from harness.lint.run import LintReport

_UNITS = {"rules": "rules", "dashboard": "panels", "alertmanager": "receivers"}


def as_text(report: LintReport) -> str:
    lines: list[str] = []
    for f in report.findings:
        lines.append(f"{f.where()}: {f.subject} [{f.check}]")
        lines += ["  " + ln for ln in f.message.splitlines()]
        if f.expr and f.expr not in f.message and "\n" not in f.expr:
            lines.append(f"  expr: {f.expr}")
        elif f.expr and f.expr not in f.message:
            lines += ["  expr: |"] + ["    " + ln for ln in f.expr.splitlines()]
        lines += [f"  fix: {f.fix}", ""]
    lines.append(summary(report))
    return "\n".join(lines)


def summary(report: LintReport) -> str:
    files = ", ".join(f"{f.path} ({f.items} {_UNITS[f.kind]})" for f in report.files)
    if not report.findings:
        return f"no findings in {len(report.files)} file(s): {files}"
    counts = Counter(f.check for f in report.findings)
    by_check = ", ".join(f"{check} {n}" for check, n in sorted(counts.items()))
    return (f"{len(report.findings)} finding(s) in {len(report.files)} file(s): {files}\n"
            f"by check: {by_check}")


def as_json(report: LintReport) -> str:
    return json.dumps({
        "files": [{"file": str(f.path), "kind": f.kind, "items": f.items} for f in report.files],
        "findings": [f.to_dict() for f in report.findings],
        "counts": dict(sorted(Counter(f.check for f in report.findings).items())),
    }, indent=2)
