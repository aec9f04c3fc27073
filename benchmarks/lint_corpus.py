"""`harness lint` on the full public rule corpus: findings per check and per profile.

    scripts/fetch-rule-corpus.py              # once: the corpus, at pinned commits
    .venv/bin/python -m benchmarks lint_corpus

Reads the cache the script fills ($HARNESS_CORPUS_DIR, else ~/.cache/alert-harness/
corpus; skipped when it is empty). Every file goes through one `lint_paths` run, as a
user's folder would: the counts say how many findings each check makes on rules the
project did not write, how many files were skipped (promtool tests...) and how many
could not be read. promtool/amtool are left out unless HARNESS_CORPUS_TOOLS=1 (one
promtool run per file). The vendored subset with its justified findings is
tests/data/lint-corpus/ (tests/unit/test_lint_corpus.py).
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

try:
    from benchmarks import Skipped
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks import Skipped

from harness.lint import LintOptions, lint_paths

NAME = "lint_corpus"
SUFFIXES = (".yml", ".yaml", ".json")


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
    figures |= {f"correctness: {c}": n for c, n in counts["correctness"].items()}
    return {
        "figures": figures,
        "projects": {p.name: _source(p) for p in projects},
        "counts": counts,
        "tools": tools,
        "unreadable": [{"file": str(u.path.relative_to(root)), "reason": u.reason}
                       for u in report.unreadable],
        "per_file": {str(f.path.relative_to(root)): f.kind for f in report.files},
    }
