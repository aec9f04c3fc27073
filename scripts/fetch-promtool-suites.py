#!/usr/bin/env python3
"""Fetch public promtool unit-test suites, each at a pinned commit, into a cache outside
git; with --run, run every test file through `harness promtool-test` (promtool and the
offline evaluator) and write the agreement figures.

    scripts/fetch-promtool-suites.py [--dest DIR] [--from-mirror DIR] [--list] [--run]

DIR defaults to $HARNESS_PROMTOOL_SUITES_DIR, else ~/.cache/alert-harness/promtool-suites.
Each suite lands in DIR/<owner>+<name>/ with its files at their repository paths, plus
SOURCE.txt (repository, commit, licence). Files come from a local bare mirror when
--from-mirror gives a folder holding <owner>+<name>/repo (or <owner>+<name>.git);
otherwise the repository is cloned and the pinned commit checked out. Paths are glob
patterns over the commit's tree, so the selection is fixed by the commit.

--run writes DIR/agreement.json: per test file, the cases, how many promtool and
offline agree on, and each disagreement with its reason; a file `harness` refuses
(a key promtool 2.42 does not know, say) is listed with the message.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Suite:
    repo: str  # owner/name on GitHub
    commit: str
    licence: str
    paths: tuple[str, ...]  # globs: the test files and the rule files they name
    tests: tuple[str, ...]  # globs: the test files among them
    what: str


SUITES = (
    Suite("prometheus/prometheus", "225c61122d88b01d1f0eaaee0e05b6f3e0567ac0", "Apache-2.0",
          ("cmd/promtool/testdata/*.yml",),
          ("cmd/promtool/testdata/unittest.yml", "cmd/promtool/testdata/long-period.yml",
           "cmd/promtool/testdata/failing.yml", "cmd/promtool/testdata/*-test.yml"),
          "promtool's own unit-test data at v2.42.0 (the version the project runs)"),
    Suite("thanos-io/thanos", "e103a81bd5943697394afcb4fb592b6ffa806c30", "Apache-2.0",
          ("examples/alerts/*.yaml",), ("examples/alerts/tests.yaml",),
          "a monitoring project's mixin alerts and their tests"),
    Suite("alphagov/govuk-helm-charts", "6aa2976855200d4d6339e6f086c3113286d752ef", "MIT",
          ("charts/monitoring-config/rules/*.yaml", "charts/monitoring-config/rules/*/*.yaml"),
          ("charts/monitoring-config/rules/*_tests.yaml",
           "charts/monitoring-config/rules/*/*_tests.yaml"),
          "a government platform's alert rules and tests"),
    Suite("wikimedia/operations-alerts", "859092e559a14cee0ea6c146771bfec42ed337bd",
          "Apache-2.0", ("team-*/*.yaml", "team-*/*.yml"), ("team-*/*_test.yaml",),
          "a large public platform's alerts, each file with its promtool test"),
    Suite("adinhodovic/kubernetes-autoscaling-mixin", "a94c0795e3acca4588d9da249320ddb881290d3b",
          "Apache-2.0", ("prometheus_alerts.yaml", "tests/*.yaml"), ("tests/tests.yaml",),
          "a monitoring mixin (HPA, VPA, Karpenter, KEDA, cluster-autoscaler)"),
    Suite("adinhodovic/django-mixin", "5ba6788d7080824b2538f4e1516119b549d51c08",
          "none stated (fetched, not vendored)", ("prometheus_alerts.yaml", "tests/*.yaml"),
          ("tests/tests.yaml",), "alerts on an exporter's metrics (django-prometheus)"),
)


def default_dest() -> Path:
    env = os.environ.get("HARNESS_PROMTOOL_SUITES_DIR")
    return Path(env) if env else Path.home() / ".cache" / "alert-harness" / "promtool-suites"


def _rule_corpus_script():  # type: ignore[no-untyped-def]
    """scripts/fetch-rule-corpus.py, whose pinned-commit fetch (mirror or clone, then the
    matching files at that commit) this script shares: a Suite has the same fields."""
    import importlib.util

    path = Path(__file__).with_name("fetch-rule-corpus.py")
    spec = importlib.util.spec_from_file_location("fetch_rule_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return sys.modules[spec.name]


def fetch(suite: Suite, dest: Path, mirrors: Path | None) -> int:
    """Write the suite's files under dest; how many."""
    return int(_rule_corpus_script().fetch(suite, dest, mirrors))


def test_files(suite: Suite, dest: Path) -> list[Path]:
    root = dest / suite.repo.replace("/", "+")
    found = {p for g in suite.tests for p in root.glob(g)}
    return sorted(found)


def run_file(path: Path, work: Path) -> dict[str, object]:
    """One file through `harness promtool-test`; its summary and disagreements."""
    out = work / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "promtool-test", "--allow-beyond-series",
         "--json", str(out), str(path)], capture_output=True, text=True, cwd=PROJECT,
        check=False)
    if done.returncode == 2 or not out.exists():
        return {"file": str(path), "refused": done.stderr.strip()[-1000:]}
    report = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    return {"file": str(path), **report["summary"],
            "disagreements": [{k: c[k] for k in ("key", "line", "name", "promtool",
                                                 "offline", "reason")}
                              for c in report["cases"] if not c["agree"]]}


def run_all(dest: Path) -> dict[str, object]:
    files: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for suite in SUITES:
            found = test_files(suite, dest)
            if not found:
                raise SystemExit(f"{suite.repo}: no test file in {dest}: fetch first")
            for path in found:
                files.append({"suite": suite.repo, **run_file(path, Path(tmp))})
                print(f"{path.relative_to(dest)}: {files[-1].get('agreement', 'refused')}")
    ran = [f for f in files if "refused" not in f]
    compared = sum(int(f["promtool_offline_compared"]) for f in ran)  # type: ignore[call-overload]
    agreed = sum(int(f["promtool_offline_agree"]) for f in ran)  # type: ignore[call-overload]
    return {"files": len(files), "refused": len(files) - len(ran), "cases": compared,
            "agree": agreed, "agreement": round(agreed / compared, 4) if compared else None,
            "per_file": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=None, help="cache folder")
    parser.add_argument("--from-mirror", type=Path, default=None,
                        help="folder of local bare mirrors (<owner>+<name>/repo)")
    parser.add_argument("--list", action="store_true", help="print the pinned sources")
    parser.add_argument("--run", action="store_true",
                        help="run every suite and write DIR/agreement.json")
    parser.add_argument("--no-fetch", action="store_true", help="with --run: use the cache")
    args = parser.parse_args(argv)
    if args.list:
        for s in SUITES:
            print(f"https://github.com/{s.repo} {s.commit} {' '.join(s.tests)}")
        return 0
    dest = args.dest or default_dest()
    dest.mkdir(parents=True, exist_ok=True)
    if not args.no_fetch:
        for suite in SUITES:
            try:
                count = fetch(suite, dest, args.from_mirror)
            except subprocess.CalledProcessError as exc:
                print(f"{suite.repo}: git failed: {exc.stderr or exc}", file=sys.stderr)
                return 2
            print(f"{suite.repo}@{suite.commit[:12]}: {count} file(s)")
    if args.run:
        figures = run_all(dest)
        (dest / "agreement.json").write_text(json.dumps(figures, indent=2) + "\n",
                                             encoding="utf-8")
        print(f"{figures['agree']}/{figures['cases']} cases agree "
              f"({figures['refused']} file(s) refused); {dest / 'agreement.json'}")
    print(f"suites in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
