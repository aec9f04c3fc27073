"""The flake benchmark's runs: ``harness run`` N times into report folders of their own,
the machine's load around each, and an optional CPU hog (stress-ng) for all of them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from harness.errors import HarnessError
from harness.paths import PROJECT_DIR
from harness.scoped import Scoped

RUN_TIMEOUT_S = 3 * 3600  # the whole alert suite takes about 35 min on this machine
STOP_GRACE_S = 60.0  # a harness run stops its stacks within seconds of a SIGTERM


@dataclass(frozen=True)
class Selection:
    """What each run runs: scenario files (default: scenarios/) and marks."""

    scenarios: tuple[Path, ...] = ()
    marks: tuple[str, ...] = ()
    parallel: int = 1

    def argv(self, report_dir: Path) -> list[str]:
        args = [sys.executable, "-m", "harness.cli.main", "run", *map(str, self.scenarios)]
        for mark in self.marks:
            args += ["--mark", mark]
        return [*args, "--parallel", str(self.parallel), "--report-dir", str(report_dir)]


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def run_once(selection: Selection, folder: Path, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """One ``harness run`` into ``folder``; its log next to it. Exit 2 (bad input, an
    empty selection) stops the benchmark with the harness's own message."""
    try:
        folder.mkdir(parents=True, exist_ok=False)
    except OSError as exc:  # a folder of an earlier run, a file in the way
        raise HarnessError(f"--out: cannot make {folder}: {exc}") from None
    log = folder.with_suffix(".log")
    load_start, started = load_average(), time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        try:
            code = run_child(selection.argv(folder), out, timeout)
        except subprocess.TimeoutExpired:
            raise HarnessError(f"harness run took over {timeout:.0f} s; log: {log}") from None
    wall = round(time.monotonic() - started, 1)
    if code not in (0, 1):
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise HarnessError(
            f"harness run exited {code}: " + " / ".join(tail), hint=f"full log: {log}"
        )
    reports = sorted(folder.glob("*/report.json"))
    if len(reports) != 1:
        raise HarnessError(f"harness run wrote {len(reports)} report.json in {folder}; log: {log}")
    return {
        "report": str(reports[0]), "exit_code": code, "wall_s": wall,
        "load_start": load_start, "load_end": load_average(), "log": str(log),
    }  # fmt: skip


def run_child(argv: Sequence[str], out: IO[str], timeout: float) -> int:
    """``subprocess.run``, except on the way out: when the benchmark is stopped (SIGTERM,
    Ctrl-C) or the run times out, the child gets SIGTERM and time to stop its stacks, as
    a user's Ctrl-C would give it. ``subprocess.run`` sends SIGKILL, which left a killed
    benchmark's stacks running until the next harness run swept them."""
    with subprocess.Popen(argv, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT) as proc:
        try:
            return proc.wait(timeout=timeout)
        except BaseException:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise


class BusyCore(Scoped):
    """``stress-ng --cpu 1`` (one core kept busy) for the ``with`` block, stopped on
    every way out, its process group included."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def _enter(self) -> None:
        program = shutil.which("stress-ng")
        if program is None:
            raise HarnessError(
                "--busy-core needs stress-ng", hint="apt-get install stress-ng (Debian)"
            )
        self.proc = subprocess.Popen(
            [program, "--cpu", "1", "--quiet"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    def _leave(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def run_all(
    selection: Selection, runs: int, out_dir: Path, *, busy_core: bool
) -> list[dict[str, Any]]:
    """``runs`` runs in turn, each into ``out_dir/run-NN/``, under a hog if asked."""
    done: list[dict[str, Any]] = []
    hog: AbstractContextManager[object] = BusyCore() if busy_core else nullcontext()
    with hog:
        for i in range(1, runs + 1):
            print(f"flake: run {i}/{runs} ...", file=sys.stderr, flush=True)
            done.append(run_once(selection, out_dir / f"run-{i:02d}"))
            print(
                f"flake: run {i}/{runs}: exit {done[-1]['exit_code']}, "
                f"{done[-1]['wall_s']} s",
                file=sys.stderr, flush=True,
            )  # fmt: skip
    return done


def stop_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so ``with`` blocks (the hog) stop on it too."""

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def check_scenarios(paths: Sequence[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise HarnessError(f"--scenario: no such file or folder: {', '.join(missing)}")
