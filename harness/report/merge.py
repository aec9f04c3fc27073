"""``harness report --merge DIR...``: one report from the reports of a suite's shards
(``harness run --shard I/N`` on the runners of a CI matrix).

Each DIR holds a report.json (already redacted); the merged report.json has every
scenario of every shard (by id), the summary and verdict recomputed, the earliest start
and the latest end, and a note naming the shards; report.html and junit.xml are rendered
from it. Reports of different inputs (time scale, rules) or shards that overlap (a
scenario in two of them) are refused: they are not parts of one run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.report.html import parse_report, read_report_json, write_html
from harness.report.junit import JunitCase, junit_xml
from harness.report.model import Report

SAME = ("schema_version", "time_scale")  # must agree between the shards' reports


def _load(directory: Path) -> dict[str, Any]:
    path = directory if directory.suffix == ".json" else directory / "report.json"
    data = read_report_json(path)
    parse_report(data, str(path))  # InputError unless it is a harness report
    assert isinstance(data, dict)
    return data


def _check_parts(reports: Sequence[tuple[Path, dict[str, Any]]]) -> None:
    first_dir, first = reports[0]
    rules = first["inputs"]["rules"]
    seen: dict[str, Path] = {}
    for directory, report in reports:
        for key in SAME:
            if report[key] != first[key]:
                raise InputError(
                    f"not a shard of the same run as {first_dir}: {key} {report[key]!r} "
                    f"there, {first[key]!r} here",
                    path=directory,
                )
        if report["inputs"]["rules"] != rules:
            raise InputError(f"not a shard of the same run as {first_dir}: other rules",
                             path=directory)
        for scenario in report["scenarios"]:
            if scenario["id"] in seen:
                raise InputError(
                    f"scenario {scenario['id']} is also in {seen[scenario['id']]}: "
                    f"shards overlap (the same shard twice?)",
                    path=directory,
                )
            seen[scenario["id"]] = directory


def _unique(items: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def merge_reports(directories: Sequence[Path]) -> dict[str, Any]:
    """The merged report.json data; InputError for a missing, broken or foreign part."""
    if not directories:
        raise InputError("harness report --merge needs at least one report directory")
    reports = [(d, _load(d)) for d in directories]
    _check_parts(reports)
    datas = [r for _, r in reports]
    scenarios = sorted((s for r in datas for s in r["scenarios"]), key=lambda s: s["id"])
    verdicts = [v for s in scenarios for v in s["verdicts"]]
    merged = dict(datas[0])
    merged.update(
        run_id="merged-" + "+".join(r["run_id"] for r in datas),
        started=min(r["started"] for r in datas),
        ended=max(r["ended"] for r in datas),
        passed=all(s["passed"] for s in scenarios),
        summary={
            "scenarios": len(scenarios),
            "scenarios_failed": sum(not s["passed"] for s in scenarios),
            "expectations": len(verdicts),
            "expectations_failed": sum(not v["passed"] for v in verdicts),
        },
        notes=[
            *_unique([n for r in datas for n in r["notes"]]),
            f"merged from {len(datas)} reports: {', '.join(str(d) for d in directories)}",
        ],
        warnings=_unique([w for r in datas for w in r["warnings"]]),
        scenarios=scenarios,
    )
    return merged


def junit_text(report: Report) -> str:
    """junit.xml of a report (the same shape as ``harness run`` writes)."""
    cases = []
    for scenario in report.scenarios:
        text = "\n".join(v.message for v in scenario.verdicts if not v.passed) or "failed"
        cases.append(JunitCase(
            scenario.id, scenario.ended - scenario.started, scenario.error, scenario.passed,
            (text.splitlines()[0], text), [(v.passed, v.message) for v in scenario.verdicts],
        ))
    return junit_xml(cases)


def write_merged(directories: Sequence[Path], out: Path) -> list[Path]:
    """Write report.json, report.html and junit.xml of the merged report into ``out``."""
    data = merge_reports(directories)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot make the output folder: {exc}", path=out) from None
    text = json.dumps(data, indent=2)
    report = parse_report(json.loads(text), str(out / "report.json"))
    json_path = out / "report.json"
    json_path.write_text(text, encoding="utf-8")
    junit = out / "junit.xml"
    junit.write_text(junit_text(report), encoding="utf-8")
    return [json_path, write_html(report, out / "report.html"), junit]
