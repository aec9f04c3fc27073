"""Measured reliability: the alert suite N times, each expectation's verdict per run.

    python -m benchmarks flake --runs 5                    # the `alerts` mark, 5 runs
    python -m benchmarks flake --runs 5 --busy-core        # with one core kept busy
    python -m benchmarks flake --runs 2 --scenario scenarios/baseline.yaml
    python -m benchmarks flake --from-reports DIR...       # analyse runs already made

Each run is one ``harness run`` (a subprocess) into a report folder of its own; the
analysis reads only the runs' report.json (``flake_analysis``): per expectation, the
outcome in each run (flips), the distance from the observation to each edge of its
window in evaluation intervals, and for ``never_fires`` how close the alert's value
came to its threshold. Writes ``flake.json`` and ``flake.md`` to ``--out``. Exit 0:
nothing flipped or sat within one evaluation interval of an edge; 1: something did;
2: bad input (nothing selected, no report, a run that could not start).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import Skipped
from benchmarks.flake_analysis import RunReport, analyse, find_reports, load_report
from benchmarks.flake_output import summary, write_outputs
from benchmarks.flake_runs import Selection, check_scenarios, load_average, run_all, stop_on_sigterm
from benchmarks.registry import RESULTS
from harness.errors import EXIT_BAD_INPUT, HarnessError

NAME = "flake"


def run(out_dir: Path) -> dict[str, Any]:
    """Among all benchmarks: too long to run by default (N times the alert suite)."""
    raise Skipped("runs the alert suite N times; on its own: python -m benchmarks flake --runs 5")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks flake", description=(__doc__ or "").splitlines()[0]
    )
    p.add_argument("--runs", type=int, help="how many times to run the selection (5 or more)")
    p.add_argument(
        "--mark",
        action="append",
        default=[],
        help="only scenarios with this mark (default without --scenario: alerts)",
    )
    p.add_argument("--parallel", type=int, default=1, help="harness run --parallel")
    p.add_argument(
        "--scenario",
        action="append",
        type=Path,
        default=[],
        help="scenario file or folder (repeatable; default: scenarios/)",
    )
    p.add_argument(
        "--from-reports",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="analyse these runs' report folders; run nothing",
    )
    p.add_argument(
        "--busy-core",
        action="store_true",
        help="keep one core busy (stress-ng --cpu 1) during the runs",
    )
    p.add_argument("--out", type=Path, help="default: benchmarks/results/flake-<UTC time>/")
    return p  # fmt: skip


def cli(argv: list[str]) -> int:
    """``python -m benchmarks flake ...`` (the runner hands the options over)."""
    args = parser().parse_args(argv)
    try:
        return _main(args)
    except HarnessError as exc:
        print(f"flake: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _main(args: argparse.Namespace) -> int:
    if args.from_reports and (args.runs or args.scenario or args.mark or args.busy_core):
        raise HarnessError("--from-reports analyses existing runs: it takes no --runs, "
                           "--scenario, --mark or --busy-core")  # fmt: skip
    if not args.from_reports and (args.runs is None or args.runs < 1):
        raise HarnessError("--runs N (N >= 1; 5 or more for figures) or --from-reports DIR")
    if args.parallel < 1:
        raise HarnessError(f"--parallel {args.parallel}: must be 1 or more")
    stamp = datetime.now(UTC)
    out = (args.out or RESULTS / f"flake-{stamp:%Y%m%d-%H%M%S}").resolve()
    meta: dict[str, Any] = {"when": stamp.isoformat(timespec="seconds"),
                            "busy_core": args.busy_core, "load_start": load_average()}  # fmt: skip
    started = time.monotonic()
    made: list[dict[str, Any]] = []  # what each run here did (none: --from-reports)
    if args.from_reports:
        meta["selection"] = "from reports: " + ", ".join(map(str, args.from_reports))
        paths = find_reports(args.from_reports)
    else:
        selection = _selection(args)
        meta["selection"] = _describe(selection)
        stop_on_sigterm()
        made = run_all(selection, args.runs, out, busy_core=args.busy_core)
        paths = [Path(m["report"]) for m in made]
    reports = [load_report(p) for p in paths]
    expectations = analyse(reports)
    meta["load_end"] = load_average()
    meta["wall_s"] = round(time.monotonic() - started, 1)
    made = made or [{} for _ in reports]
    meta["runs"] = [_run_meta(r, m) for r, m in zip(reports, made, strict=True)]
    try:
        js, md = write_outputs(out, meta, expectations)
    except OSError as exc:
        raise HarnessError(f"--out {out}: cannot write: {exc}") from None
    print(md.read_text(encoding="utf-8"))
    print(f"written: {js}, {md}", file=sys.stderr)
    counts = summary(expectations)
    return 1 if counts["flipped"] or counts["near_edge"] else 0


def _selection(args: argparse.Namespace) -> Selection:
    scenarios = tuple(p.resolve() for p in args.scenario)
    check_scenarios(scenarios)
    marks = tuple(args.mark) or (() if scenarios else ("alerts",))
    return Selection(scenarios, marks, args.parallel)


def _describe(selection: Selection) -> str:
    files = ", ".join(p.name for p in selection.scenarios) or "scenarios/"
    marks = " ".join(f"--mark {m}" for m in selection.marks)
    return f"{files} {marks}".strip()


def _run_meta(report: RunReport, made: dict[str, Any]) -> dict[str, Any]:
    """What a run did: its own figures where it ran here, its report's otherwise."""
    scenarios = report.data["scenarios"]
    return {
        "report": str(report.path),
        "run_id": report.label,
        "wall_s": made.get("wall_s", report.wall_s),
        "exit_code": made.get("exit_code"),
        "load_start": made.get("load_start"),
        "load_end": made.get("load_end"),
        "scenarios": len(scenarios),
        "failed_verdicts": sum(not v["passed"] for s in scenarios for v in s.get("verdicts", [])),
        "scenario_errors": {s["id"]: s["error"] for s in scenarios if s.get("error")},
    }
