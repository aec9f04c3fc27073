"""`harness lint` on the full public rule corpus: findings per check and per profile.

    scripts/fetch-rule-corpus.py              # once: the corpus, at pinned commits
    .venv/bin/python -m benchmarks lint_corpus

Reads the cache the script fills ($HARNESS_CORPUS_DIR, else ~/.cache/alert-harness/
corpus; skipped when it is empty). Every file goes through one `lint_paths` run, as a
user's folder would: the counts say how many findings each check makes on rules the
project did not write, how many files were skipped (promtool tests...) and how many
could not be read. promtool/amtool are left out unless HARNESS_CORPUS_TOOLS=1 (one
promtool run per file). The correctness findings are compared with the reviewed list
benchmarks/data/lint-corpus-findings.yml (each group justified): "new" and "lost"
findings are figures, and listed (the tools' own findings are counted apart).
`harness lint` itself is run once over the whole folder: its exit status is a figure
(1: findings, and no file refused). The vendored subset with its justified findings is
tests/data/lint-corpus/ (tests/unit/test_lint_corpus.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

try:
    from benchmarks import Skipped
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks import Skipped

from harness.lint import LintOptions, lint_paths

NAME = "lint_corpus"
SUFFIXES = (".yml", ".yaml", ".json")
GOLDEN = Path(__file__).resolve().parent / "data" / "lint-corpus-findings.yml"
Key = tuple[str, int | None, str, str]  # file (relative), line, check, subject
# promtool's and amtool's own verdicts, passed on (HARNESS_CORPUS_TOOLS=1): counted, but
# the reviewed list is the lint's own checks, the same with or without the tools.
TOOL_CHECKS = frozenset({"promtool-check-rules", "promtool-duplicate-rules",
                         "amtool-check-config", "am-template-render"})


def corpus_dir() -> Path:
    env = os.environ.get("HARNESS_CORPUS_DIR")
    return Path(env) if env else Path.home() / ".cache" / "alert-harness" / "corpus"


def _source(project: Path) -> str:
    source = project / "SOURCE.txt"
    if not source.is_file():
        return ""
    fields = dict(line.split(": ", 1) for line in source.read_text(encoding="utf-8").splitlines()
                  if ": " in line)
    return fields.get("commit", "")


def run(out_dir: Path) -> dict[str, Any]:
    root = corpus_dir()
    projects = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    files = sorted(f for p in projects for f in p.rglob("*")
                   if f.suffix in SUFFIXES and f.is_file())
    if not files:
        raise Skipped(f"no corpus in {root}: run scripts/fetch-rule-corpus.py first")
    tools = os.environ.get("HARNESS_CORPUS_TOOLS") == "1"
    reports = {profile: lint_paths(files, LintOptions(tools=tools, profile=profile))
               for profile in ("correctness", "policy")}
    report = reports["correctness"]
    kinds = Counter(f.kind for f in report.files)
    rules = sum(f.items for f in report.files if f.kind == "rules")
    counts = {p: dict(sorted(Counter(f.check for f in r.findings).items()))
              for p, r in reports.items()}
    figures: dict[str, Any] = {
        "projects": len(projects), "files": len(files), "rules": rules,
        "skipped files": kinds["skipped"], "unreadable files": len(report.unreadable),
        "correctness findings": len(report.findings),
        "policy findings": len(reports["policy"].findings),
    }
    found = Counter((f.path.relative_to(root).as_posix(), f.line, f.check, f.subject)
                    for f in report.findings if f.check not in TOOL_CHECKS)
    expected = golden()
    new, lost = found - expected, expected - found
    figures["tool findings (not in the reviewed list)"] = sum(
        1 for f in report.findings if f.check in TOOL_CHECKS)
    figures |= {f"correctness: {c}": n for c, n in counts["correctness"].items()}
    figures |= {"reviewed findings": sum(expected.values()),
                "new findings (not reviewed)": sum(new.values()),
                "lost findings": sum(lost.values()),
                "harness lint exit status": cli_exit_status(root)}
    return {
        "figures": figures,
        "new": [list(k) for k in sorted(new, key=str)],
        "lost": [list(k) for k in sorted(lost, key=str)],
        "projects": {p.name: _source(p) for p in projects},
        "counts": counts,
        "tools": tools,
        "unreadable": [{"file": str(u.path.relative_to(root)), "reason": u.reason}
                       for u in report.unreadable],
        "per_file": {str(f.path.relative_to(root)): f.kind for f in report.files},
    }


def golden(path: Path = GOLDEN) -> Counter[Key]:
    """The reviewed findings: groups of one check, each with its `why` and places."""
    expected: Counter[Key] = Counter()
    for group in yaml.safe_load(path.read_text(encoding="utf-8")):
        assert len(str(group["why"]).split()) >= 5, group  # justified, not just listed
        for at in group["at"]:
            key = (str(at["file"]), at["line"], str(group["check"]), str(at["subject"]))
            expected[key] += int(at.get("count", 1))
    return expected


def cli_exit_status(root: Path) -> int:
    """`harness lint --no-tools ROOT` as a user runs it: 1 (findings) unless a file is refused."""
    code = "import sys; from harness.cli.main import main; main(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, "lint", "--no-tools", "--format", "json",
                           str(root)], capture_output=True, text=True, check=False)
    return done.returncode
