"""A 50-candidate `harness tune` sweep of HighErrorRate over a recorded run, against the
time of re-running that alert's scenarios (the run that made the recording), both from
one run of this benchmark. The issue's aim: the sweep under a tenth of the re-run.

Standalone: ``python -m benchmarks.tune_sweep [--time-scale 60]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.paths import PROJECT_DIR, SCENARIOS_DIR

NAME = "tune_sweep"
ALERT = "HighErrorRate"
SCENARIOS = ("high-error-rate.yaml", "high-error-rate-below.yaml", "high-error-rate-transient.yaml")
THRESHOLDS = "0.01:0.50:0.01"  # 50 candidates (plus none: 0.05 as written is among them)


def _run_scenarios(report_dir: Path, time_scale: float) -> float:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run",
         *(str(SCENARIOS_DIR / s) for s in SCENARIOS),
         "--time-scale", f"{time_scale:g}", "--report-dir", str(report_dir)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"harness run failed ({proc.returncode}): {proc.stderr[-1500:]}")
    return seconds


def _sweep(run_dir: Path) -> tuple[float, int, int]:
    """Seconds for the sweep (reopening every recording included), candidates, valid ones."""
    from harness.tune.candidates import build_grid, parse_thresholds
    from harness.tune.run import load_run, tune, written_rule

    started = time.monotonic()
    recorded = load_run(run_dir, ALERT)
    written, _ = written_rule(recorded, ALERT)
    grid = build_grid(written, parse_thresholds([THRESHOLDS]), [], [], [])
    result = tune(run_dir, ALERT, grid, recorded)
    seconds = time.monotonic() - started
    return seconds, len(grid), sum(result.meets_all(i) for i in range(len(grid)))


def run(out_dir: Path, time_scale: float = 60.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tune-sweep-") as tmp:
        reports = Path(tmp)
        rerun_s = _run_scenarios(reports, time_scale)
        (report,) = reports.glob("*/report.json")
        sweep_s, candidates, valid = _sweep(report.parent)
    return {
        "figures": {
            "sweep / re-run": round(sweep_s / rerun_s, 4),
            "sweep seconds": round(sweep_s, 2),
            "re-run seconds": round(rerun_s, 1),
        },
        "alert": ALERT,
        "scenarios": list(SCENARIOS),
        "time_scale": time_scale,
        "candidates": candidates,
        "candidates_meeting_all": valid,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-scale", type=float, default=60.0)
    args = parser.parse_args()
    print(json.dumps(run(Path("."), args.time_scale), indent=2))
