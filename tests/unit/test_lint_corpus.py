"""The lint on public rule sets (tests/data/lint-corpus/, sources in its LICENSES.md):
exactly the findings of expected-findings.yml, each justified there in one line. A new
finding or a lost one fails, so a change to a check shows what it does to real rules."""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.lint import LintOptions, lint_paths

CORPUS = Path(__file__).resolve().parents[1] / "data" / "lint-corpus"
GOLDEN = CORPUS / "expected-findings.yml"

Key = tuple[str, int | None, str, str]


def _corpus_files() -> list[Path]:
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yml", ".yaml")
                   and p.is_file() and p != GOLDEN)
    assert len(files) >= 9, files
    return files


def _expected() -> dict[Key, str]:
    entries = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    assert entries, "the golden file lists findings"
    return {(e["file"], e["line"], e["check"], e["subject"]): e["why"] for e in entries}


def test_vendored_corpus_matches_golden() -> None:
    report = lint_paths(_corpus_files(), LintOptions(tools=False))
    found = {(f.path.relative_to(CORPUS).as_posix(), f.line, f.check, f.subject)
             for f in report.findings}
    expected = _expected()
    assert sorted(found - set(expected)) == [], "new findings: justify them or fix the check"
    assert sorted(set(expected) - found) == [], "lost findings: a check stopped seeing them"
    assert len(found) == len(report.findings)  # no duplicate finding hidden by the set


def test_every_golden_finding_is_justified() -> None:
    assert all(len(why.split()) >= 5 for why in _expected().values())


def test_every_valid_corpus_file_is_linted_or_skipped_with_a_reason() -> None:
    report = lint_paths(_corpus_files(), LintOptions(tools=False))
    assert report.unreadable == []
    kinds = {f.path.name: f.kind for f in report.files}
    assert kinds["gitlab_test.yaml"] == "skipped"
    assert kinds["alertmanager-prometheusRule.yaml"] == "rules"  # a PrometheusRule manifest
    assert all(f.note for f in report.files if f.kind == "skipped")


def test_policy_profile_adds_only_policy_findings() -> None:
    base = lint_paths(_corpus_files(), LintOptions(tools=False))
    policy = lint_paths(_corpus_files(), LintOptions(tools=False, profile="policy"))
    extra = {f.check for f in policy.findings} - {f.check for f in base.findings}
    assert extra == {"annotation-missing"}
    assert len(policy.findings) > len(base.findings)
