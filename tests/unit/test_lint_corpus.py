"""The lint on public rule sets (tests/data/lint-corpus/, sources in its LICENSES.md):
exactly the findings of expected-findings.yml, each justified there in one line. A new
finding or a lost one fails, so a change to a check shows what it does to real rules."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import yaml

from harness.lint import LintOptions, lint_paths

CORPUS = Path(__file__).resolve().parents[1] / "data" / "lint-corpus"
GOLDEN = CORPUS / "expected-findings.yml"

Key = tuple[str, int | None, str, str]


def _corpus_files() -> list[Path]:
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yml", ".yaml")
                   and p.is_file() and p != GOLDEN)
    assert len(files) >= 11, files
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
    # YAML merge keys (`- <<: *KubeletOperationalLatency`) are rules like any other.
    merged = next(f for f in report.files if f.path.name == "kubernetes-generic.yaml")
    assert merged.kind == "rules" and merged.items == 11
    assert all(f.note for f in report.files if f.kind == "skipped")


def test_policy_profile_adds_only_policy_findings() -> None:
    base = lint_paths(_corpus_files(), LintOptions(tools=False))
    policy = lint_paths(_corpus_files(), LintOptions(tools=False, profile="policy"))
    extra = {f.check for f in policy.findings} - {f.check for f in base.findings}
    assert extra == {"annotation-missing"}
    assert len(policy.findings) > len(base.findings)


def _fetch_script() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "fetch-rule-corpus.py"
    spec = importlib.util.spec_from_file_location("fetch_rule_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_fetch_script_copies_pinned_files_from_a_mirror(tmp_path: Path) -> None:
    """The corpus script takes the pinned commit's files, not the mirror's newest."""
    script = _fetch_script()
    work = tmp_path / "src"
    work.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(work), *args], check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    (work / "rules").mkdir()
    (work / "rules" / "a.yml").write_text("groups: []\n", encoding="utf-8")
    (work / "README").write_text("x\n", encoding="utf-8")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    pinned = git("rev-parse", "HEAD")
    (work / "rules" / "b.yml").write_text("groups: []\n", encoding="utf-8")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "two")
    mirrors = tmp_path / "mirrors"
    (mirrors / "owner+name").mkdir(parents=True)
    (mirrors / "owner+name" / "repo").symlink_to(work / ".git")
    project = script.Project("owner/name", pinned, "MIT", ("rules/*.yml",), "test")
    assert script.fetch(project, tmp_path / "out", mirrors) == 1
    target = tmp_path / "out" / "owner+name"
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == ["SOURCE.txt", "a.yml"]
    assert f"commit: {pinned}" in (target / "SOURCE.txt").read_text(encoding="utf-8")


def test_fetch_script_pins_enough_projects() -> None:
    projects = _fetch_script().PROJECTS
    assert len({p.repo for p in projects}) >= 4
    assert all(len(p.commit) == 40 and p.paths and p.licence for p in projects)


def test_full_corpus_review_list_is_well_formed() -> None:
    """benchmarks/data/lint-corpus-findings.yml: every group justified, every place named
    (the benchmark compares the full corpus's findings with it)."""
    from benchmarks.lint_corpus import golden

    expected = golden()
    assert sum(expected.values()) >= 200
    assert all(file.count("/") >= 1 and check for file, _, check, _ in expected)
