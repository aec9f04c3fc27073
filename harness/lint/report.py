"""Findings as text for people (default) or JSON for tools."""

from __future__ import annotations

import json
from collections import Counter

from harness.lint.run import LintReport

_UNITS = {"rules": "rules", "dashboard": "panels", "alertmanager": "receivers",
          "skipped": "items"}


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
    lines += [f"{f.path}: skipped: {f.note}" for f in report.files if f.kind == "skipped"]
    lines += [f"{f.path}: note: {f.note}" for f in report.files
              if f.note and f.kind != "skipped"]
    lines.append(summary(report))
    return "\n".join(lines)


def unreadable_text(report: LintReport) -> str:
    """The files that could not be read, each with its reason (for stderr)."""
    return "\n".join(f"harness lint: {u.reason}" for u in report.unreadable)


def summary(report: LintReport) -> str:
    files = ", ".join(f"{f.path} ({f.items} {_UNITS[f.kind]})" for f in report.files
                      if f.kind != "skipped")
    linted = sum(1 for f in report.files if f.kind != "skipped")
    if not linted:
        return f"nothing to lint: {len(report.files)} file(s) skipped"
    if not report.findings:
        return f"no findings in {linted} file(s): {files}"
    counts = Counter(f.check for f in report.findings)
    by_check = ", ".join(f"{check} {n}" for check, n in sorted(counts.items()))
    return (f"{len(report.findings)} finding(s) in {linted} file(s): {files}\n"
            f"by check: {by_check}")


def as_json(report: LintReport) -> str:
    return json.dumps({
        "files": [{"file": str(f.path), "kind": f.kind, "items": f.items} for f in report.files],
        "findings": [f.to_dict() for f in report.findings],
        "counts": dict(sorted(Counter(f.check for f in report.findings).items())),
        "notes": [{"file": str(f.path), "kind": f.kind, "note": f.note}
                  for f in report.files if f.note],
        "unreadable": [{"file": str(u.path), "reason": u.reason} for u in report.unreadable],
    }, indent=2)


def as_sarif(report: LintReport) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it: one result per finding."""
    from harness.lint.checks import CHECKS, POLICY_CHECKS

    used = sorted({f.check for f in report.findings})
    rules = [{"id": c, "shortDescription": {"text": CHECKS.get(c, c)}} for c in used]
    results = []
    for f in report.findings:
        region = {"startLine": f.line} if f.line is not None else {}
        location = {"physicalLocation": {"artifactLocation": {"uri": f.path.as_posix()},
                                         **({"region": region} if region else {})}}
        results.append({
            "ruleId": f.check, "level": "note" if f.check in POLICY_CHECKS else "warning",
            "message": {"text": f"{f.subject}: {f.message}\nfix: {f.fix}"},
            "locations": [location]})
    run = {"tool": {"driver": {"name": "harness-lint", "rules": rules}}, "results": results}
    return json.dumps({"version": "2.1.0",
                       "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                       "runs": [run]}, indent=2)
