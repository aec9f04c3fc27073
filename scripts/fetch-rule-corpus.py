#!/usr/bin/env python3
"""Fetch a corpus of public Prometheus rule sets, each at a pinned commit, into a cache
outside git (for `python -m benchmarks lint_corpus`).

    scripts/fetch-rule-corpus.py [--dest DIR] [--from-mirror DIR] [--list]

DIR defaults to $HARNESS_CORPUS_DIR, else ~/.cache/alert-harness/corpus. Each project
lands in DIR/<owner>+<name>/ with its files at their repository paths, plus SOURCE.txt
(repository, commit, licence). Files are taken from a local bare mirror when
--from-mirror gives a folder holding <owner>+<name>/repo (or <owner>+<name>.git);
otherwise the repository is cloned and the pinned commit checked out. Paths are glob
patterns matched against the commit's tree, so the selection is fixed by the commit.
Standard library and git only.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    repo: str  # owner/name on GitHub
    commit: str
    licence: str
    paths: tuple[str, ...]  # glob patterns over the repository's paths at the commit
    what: str


PROJECTS = (
    Project("prometheus-operator/kube-prometheus", "4d719f1dea8853540b3823ab1fbe6be74a9953b3",
            "Apache-2.0", ("manifests/*-prometheusRule.yaml",),
            "PrometheusRule manifests: kubernetes-mixin, node-mixin, operator and "
            "Alertmanager/Prometheus mixins, rendered"),
    Project("samber/awesome-prometheus-alerts", "a8533189af0246de5e21a6d8d25bd37816894f07",
            "CC-BY-4.0", ("dist/rules/*/*.yml",), "community alert collection"),
    Project("wikimedia/operations-alerts", "859092e559a14cee0ea6c146771bfec42ed337bd",
            "Apache-2.0", ("team-*/*.yaml", "team-*/*.yml"),
            "a large public platform's alerts, with their promtool tests (*_test.yaml)"),
    Project("alphagov/prometheus-aws-configuration-beta",
            "05f4860fb33891637f8eb82853d61237bd4878e3", "MIT",
            ("terraform/modules/prom-ec2/alerts-config/alerts/*.yml",),
            "GOV.UK PaaS observe team's alerts"),
    Project("prometheus/alertmanager", "68fb2d5759b3a92c0bb2a1a13d4ef7ff5b06256d",
            "Apache-2.0", ("doc/examples/*.yml",), "Alertmanager's example configurations"),
)


def default_dest() -> Path:
    env = os.environ.get("HARNESS_CORPUS_DIR")
    return Path(env) if env else Path.home() / ".cache" / "alert-harness" / "corpus"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True,
                          text=True).stdout


def _mirror(root: Path | None, repo: str) -> Path | None:
    if root is None:
        return None
    slug = repo.replace("/", "+")
    for candidate in (root / slug / "repo", root / f"{slug}.git", root / slug):
        if candidate.is_dir():
            return candidate
    return None


def _clone(project: Project, into: Path) -> Path:
    url = f"https://github.com/{project.repo}.git"
    _git("clone", "--quiet", "--filter=blob:none", "--no-checkout", url, str(into))
    _git("-C", str(into), "checkout", "--quiet", project.commit)
    return into / ".git"


def selected(git_dir: Path, project: Project) -> list[str]:
    tree = _git("--git-dir", str(git_dir), "ls-tree", "-r", "--name-only",
                project.commit).splitlines()
    return sorted(p for p in tree if any(fnmatch.fnmatch(p, g) for g in project.paths))


def fetch(project: Project, dest: Path, mirrors: Path | None) -> int:
    """Write the project's selected files under dest; returns how many."""
    target = dest / project.repo.replace("/", "+")
    with tempfile.TemporaryDirectory() as tmp:
        git_dir = _mirror(mirrors, project.repo) or _clone(project, Path(tmp) / "clone")
        paths = selected(git_dir, project)
        if not paths:
            raise SystemExit(f"{project.repo}@{project.commit}: no file matches {project.paths}")
        if target.exists():
            shutil.rmtree(target)
        for path in paths:
            blob = subprocess.run(["git", "--git-dir", str(git_dir), "show",
                                   f"{project.commit}:{path}"], check=True,
                                  capture_output=True).stdout
            out = target / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(blob)
    (target / "SOURCE.txt").write_text(
        f"repository: https://github.com/{project.repo}\ncommit: {project.commit}\n"
        f"licence: {project.licence}\nwhat: {project.what}\n", encoding="utf-8")
    return len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=None, help="cache folder")
    parser.add_argument("--from-mirror", type=Path, default=None,
                        help="folder of local bare mirrors (<owner>+<name>/repo)")
    parser.add_argument("--list", action="store_true", help="print the pinned sources")
    args = parser.parse_args(argv)
    if args.list:
        for p in PROJECTS:
            print(f"https://github.com/{p.repo} {p.commit} {' '.join(p.paths)}")
        return 0
    dest = args.dest or default_dest()
    dest.mkdir(parents=True, exist_ok=True)
    for project in PROJECTS:
        try:
            count = fetch(project, dest, args.from_mirror)
        except subprocess.CalledProcessError as exc:
            print(f"{project.repo}: git failed: {exc.stderr or exc}", file=sys.stderr)
            return 2
        print(f"{project.repo}@{project.commit[:12]}: {count} file(s)")
    print(f"corpus in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
