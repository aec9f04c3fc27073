"""A throwaway Prometheus over a data directory: no scrape targets, no rules, no stack.

It serves the query API over what the directory holds (a recorded run, backfilled
blocks) on a free loopback port, and is stopped on every way out of the ``with`` block.
Retention is set far out so that no old block is deleted; the global evaluation
interval is the subquery step an expression without one uses, so it is set to the
rule group's. Prometheus writes to the directory (its lock file, WAL, compactions):
give it a copy of anything that must stay untouched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.durations import format_duration
from harness.errors import StackError
from harness.stack.binaries import find_binary
from harness.stack.ports import LOOPBACK, free_port, release_port
from harness.stack.process import ManagedProcess
from harness.stack.rundir import recorded_run
from harness.stack.wait import HttpWait

RETENTION = "36500d"


@dataclass(frozen=True)
class Throwaway:
    url: str  # http://127.0.0.1:PORT, the query API's base
    port: int
    data_dir: Path
    process: ManagedProcess


def _config(path: Path, evaluation_interval_s: float) -> Path:
    interval = format_duration(evaluation_interval_s)
    path.write_text(
        f"global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\n",
        encoding="utf-8",
    )
    return path


def prometheus_argv(
    binary: str, config: Path, data_dir: Path, port: int, lookback_delta_s: float | None
) -> list[str]:
    argv = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={data_dir}",
        f"--storage.tsdb.retention.time={RETENTION}",
        f"--web.listen-address={LOOPBACK}:{port}",
        "--log.level=warn",
    ]
    if lookback_delta_s is not None:
        argv.append(f"--query.lookback-delta={format_duration(lookback_delta_s)}")
    return argv


@contextmanager
def throwaway_prometheus(
    data_dir: Path,
    *,
    evaluation_interval_s: float = 60.0,
    lookback_delta_s: float | None = None,
    work_dir: Path | None = None,
    ready_timeout_s: float = 60.0,
) -> Iterator[Throwaway]:
    """Start Prometheus on ``data_dir``; yield where it answers; stop it on exit."""
    if not data_dir.is_dir():
        raise StackError(f"No Prometheus data directory at {data_dir}.")
    binary = find_binary("prometheus")
    with ExitStack() as stack:
        if work_dir is None:
            work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="offline-")))
        port = free_port()
        stack.callback(release_port, port)
        config = _config(work_dir / "prometheus.yml", evaluation_interval_s)
        process = ManagedProcess(
            "throwaway prometheus",
            prometheus_argv(binary, config, data_dir, port, lookback_delta_s),
            log_path=work_dir / "prometheus.log",
        )
        run = stack.enter_context(recorded_run("throwaway-prometheus"))
        stack.callback(process.stop)
        process.start()
        run.record(process)  # a harness killed now: the next one stops it
        url = f"http://{LOOPBACK}:{port}"
        HttpWait(f"{url}/-/ready", timeout=ready_timeout_s).wait(
            "throwaway prometheus", target=process
        )
        yield Throwaway(url, port, data_dir, process)
