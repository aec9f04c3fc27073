"""Local stack start-up: seconds to every service ready, and to Prometheus's first scrape.

    .venv/bin/python benchmarks/startup.py [--stacks 5]     (or: python -m benchmarks startup)

Opens N fresh local stacks one after the other (the first on whatever cache the machine
has, the rest warm) and records, for each, ``LocalStack.startup_seconds`` (``up()`` until
Redis, the API, the worker, Alertmanager and Prometheus all answer their readiness
checks) and the time until Prometheus has scraped the API and the worker (``up == 1``)
and knows the Alertmanager (``wait_scraped``). Prometheus 2.42 applies discovered
targets on a fixed 5 s tick after it starts, so the second figure sits near 5-6 s
however fast the rest is. The issue's aim: ready in under 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    from benchmarks import Skipped
except ImportError:  # run as a script: python benchmarks/startup.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks import Skipped

from harness.stack import StackSpec, open_stack

NAME = "startup"
RESULTS = Path(__file__).resolve().parent / "results"
STACKS = 5
AIM_READY_SECONDS = 3.0


def spread(values: list[float]) -> dict[str, float]:
    """Median, min, max and population standard deviation, rounded to ms."""
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "stdev": round(statistics.pstdev(values), 3),
    }


def one_stack(state_dir: Path, index: int) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    spec = StackSpec(state_dir=state_dir, time_scale=60, run_label=f"bench-startup-{index}")
    with open_stack(spec) as stack:
        ready = stack.startup_seconds
        assert ready is not None
        scraped = ready + stack.wait_scraped(timeout=30)
        stopping = time.monotonic()
    down = time.monotonic() - stopping
    return {
        "ready_s": round(ready, 3),
        "first_scrape_s": round(scraped, 3),
        "down_s": round(down, 3),
        "load_average_before": round(load_before, 2),
    }


def measure(stacks: int = STACKS) -> dict[str, Any]:
    missing = [b for b in ("redis-server", "prometheus") if shutil.which(b) is None]
    if missing:
        raise Skipped(f"not installed: {', '.join(missing)} (make bootstrap)")
    samples = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        for i in range(stacks):
            samples.append(one_stack(Path(tmp) / "state", i))
            print(f"startup: stack {i + 1}/{stacks}: {samples[-1]}", file=sys.stderr, flush=True)
    ready = spread([s["ready_s"] for s in samples])
    scraped = spread([s["first_scrape_s"] for s in samples])
    return {
        "stacks": stacks,
        "ready_s": ready,
        "first_scrape_s": scraped,
        "aim_ready_s": AIM_READY_SECONDS,
        "ready_within_aim": ready["median"] < AIM_READY_SECONDS,
        "samples": samples,
        "figures": {
            "ready, median s": ready["median"],
            "ready, max s": ready["max"],
            "first scrape, median s": scraped["median"],
            "first scrape, max s": scraped["max"],
        },
        "cpus": os.cpu_count(),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def run(out_dir: Path) -> dict[str, Any]:
    """The benchmarks runner's entry point (it writes ``out_dir/startup.json``)."""
    return measure()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stacks", type=int, default=STACKS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        result = measure(args.stacks)
    except Skipped as exc:
        print(f"{NAME}: skipped: {exc}", file=sys.stderr)
        return 2
    when = datetime.now(UTC).isoformat(timespec="seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{NAME}.json"
    path.write_text(json.dumps({"name": NAME, "when": when, **result}, indent=2) + "\n")
    print(json.dumps(result["figures"], indent=2))
    print(f"written: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
