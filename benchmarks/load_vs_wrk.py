"""Requests/s of one Locust process (FastHttpUser) vs wrk, same target, same run.

    .venv/bin/python -m benchmarks load_vs_wrk          (with the other benchmarks' runner)
    .venv/bin/python -m benchmarks.load_vs_wrk [--seconds 10] [--connections 20]

Starts its own target (redis-server, the seeded database, one API process) on loopback,
runs wrk for a warm-up, then Locust and wrk for the same duration and concurrency, and
writes benchmarks/results/load_vs_wrk.json with the ratio. Everything is bounded in time.
``*_cores``: CPU used by the load generator and by the API during each run (on 2 cores
the generator's CPU is taken from the server's, which is what the ratio shows).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks import Skipped
from harness.load import LocustConfig, run_load
from harness.paths import PROJECT_DIR
from harness.stack.ports import free_port
from harness.stack.process import ManagedProcess

NAME = "load_vs_wrk"
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "load_vs_wrk.json"
PATH = "/api/schools"
HEADERS = {"X-User-Id": "bench", "X-Tenant-Id": "tenant-1", "X-Role": "student"}


class CpuMeter:
    """CPU seconds used by the load generator (waited-for children) and the target."""

    def __init__(self, target_pid: int) -> None:
        self.target = psutil.Process(target_pid)

    @contextmanager
    def measure(self, into: dict[str, Any]) -> Iterator[None]:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        api = self.target.cpu_times()
        started = time.monotonic()
        yield
        wall = time.monotonic() - started
        kids2 = resource.getrusage(resource.RUSAGE_CHILDREN)
        api2 = self.target.cpu_times()
        gen = kids2.ru_utime + kids2.ru_stime - kids.ru_utime - kids.ru_stime
        tgt = api2.user + api2.system - api.user - api.system
        into["generator_cores"] = round(gen / wall, 2)
        into["target_cores"] = round(tgt / wall, 2)


@contextmanager
def target(run_dir: Path) -> Iterator[tuple[str, int]]:
    """redis-server + seeded SQLite + one API process; stopped on every way out."""
    redis_bin = shutil.which("redis-server")
    if redis_bin is None:
        raise Skipped("redis-server not found (apt-get install redis-server)")
    redis_port, api_port = free_port(), free_port()
    env = {**os.environ, "TARGET_DATABASE_URL": f"sqlite:///{run_dir / 'target.db'}",
           "TARGET_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "TARGET_LOG_LEVEL": "warning"}
    redis = ManagedProcess("redis", [redis_bin, "--port", str(redis_port), "--bind",
                                     "127.0.0.1", "--save", "", "--appendonly", "no"],
                           log_path=run_dir / "redis.log", cwd=run_dir)
    api = ManagedProcess("api", [sys.executable, "-m", "harness.target.api", "--host",
                                 "127.0.0.1", "--port", str(api_port)],
                         log_path=run_dir / "api.log", env=env, cwd=PROJECT_DIR)
    try:
        redis.start()
        subprocess.run([sys.executable, "-m", "harness.target.dbinit"], env=env, check=True,
                       cwd=PROJECT_DIR, capture_output=True, timeout=60)
        api.start()
        url = f"http://127.0.0.1:{api_port}"
        end = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > end or not api.is_running():
                raise RuntimeError(f"load_vs_wrk: target not ready\n{api.describe_log()}")
            time.sleep(0.1)
        yield url, api.pid
    finally:
        api.stop()
        redis.stop()


def run_wrk(url: str, seconds: int, connections: int, threads: int) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise Skipped("wrk not found (apt-get install wrk)")
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for k, v in HEADERS.items():
        argv += ["-H", f"{k}: {v}"]
    out = subprocess.run([*argv, url + PATH], capture_output=True, text=True, check=True,
                         timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    return {"rps": rps, "requests": total, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "p50": latency.get("50"), "p99": latency.get("99"), "threads": threads}


def run_locust(url: str, seconds: int, users: int, out_dir: Path) -> dict[str, Any]:
    cfg = LocustConfig(host=url, users=users, spawn_rate=users, run_time=seconds,
                       locustfiles=(HERE / "locust_trivial.py",), html_report=False,
                       loglevel="WARNING")
    stats = run_load(cfg, out_dir).stats
    # Full seconds only: the first and last are partial.
    per_second = [n for _, n, _ in stats.per_second()][1:-1]
    return {"rps": statistics.fmean(per_second) if per_second else 0.0,
            "requests": stats.total.requests, "failures": stats.total.failures,
            "p50_ms": stats.total.p50_ms, "p99_ms": stats.total.p99_ms, "users": users,
            "user_class": "FastHttpUser"}


def measure(seconds: int = 10, connections: int = 20, wrk_threads: int = 2,
            rounds: int = 2) -> dict[str, Any]:
    """Locust then wrk, ``rounds`` times, on one target; medians and their ratio."""
    locust: list[dict[str, Any]] = []
    wrk: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="load-vs-wrk-") as tmp, target(Path(tmp)) as (
        url, api_pid
    ):
        cpu = CpuMeter(api_pid)
        run_wrk(url, 2, connections, wrk_threads)  # warm-up
        for i in range(rounds):
            locust.append({})
            with cpu.measure(locust[-1]):
                out = Path(tmp) / f"locust-{i}"
                locust[-1].update(run_locust(url, seconds, connections, out))
            wrk.append({})
            with cpu.measure(wrk[-1]):
                wrk[-1].update(run_wrk(url, seconds, connections, wrk_threads))
    locust_rps = statistics.median(r["rps"] for r in locust)
    wrk_rps = statistics.median(r["rps"] for r in wrk)
    ratio = round(locust_rps / wrk_rps, 3) if wrk_rps else None
    return {
        "endpoint": f"GET {PATH}", "seconds": seconds, "concurrency": connections,
        "locust_rps": round(locust_rps, 1), "wrk_rps": round(wrk_rps, 1),
        "ratio_locust_to_wrk": ratio,
        "figures": {"Locust req/s": round(locust_rps, 1), "wrk req/s": round(wrk_rps, 1),
                    "Locust / wrk": ratio},
        "rounds": {"locust": locust, "wrk": wrk},
        "cpus": os.cpu_count(), "load_average_before": round(load_before, 2),
        "python": platform.python_version(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(out_dir: Path) -> dict[str, Any]:
    """The benchmarks runner's entry point (defaults; the runner writes the JSON)."""
    return measure()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20, help="wrk connections = users")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="Locust then wrk, this many times")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        result = measure(args.seconds, args.connections, args.wrk_threads, args.rounds)
    except Skipped as exc:
        print(f"load_vs_wrk: skipped: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
