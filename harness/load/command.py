"""What a Locust run is asked to do, and the command lines that do it (pure; no processes).

Every headless run carries ``--run-time``; every process also runs under coreutils
``timeout`` with a hard deadline, so it stops even if the harness that started it dies.
"""

from __future__ import annotations

import math
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import InputError
from harness.load.hosts import require_loopback
from harness.load.shape_plan import Phase, total_duration
from harness.paths import LOCUSTFILES_DIR

DEFAULT_LOCUSTFILE = LOCUSTFILES_DIR / "school.py"
SHAPES_FILE = LOCUSTFILES_DIR / "shapes.py"
FOLLOW_FILE = LOCUSTFILES_DIR / "follow.py"
# Every run: Locust stops by itself once the harness that started it is gone.
WATCH_FILE = LOCUSTFILES_DIR / "parent_watch.py"
# Added by the harness to a run's own locustfile; never a scenario's `locustfile:`.
HARNESS_FILES = (SHAPES_FILE, FOLLOW_FILE, WATCH_FILE)
STATS_PREFIX = "locust"
# Locust's exit code when the run recorded failures or locustfile exceptions; chosen apart
# from 1 (Python crash) and 2 (bad arguments) so "ran, with failures" is recognisable.
EXIT_CODE_ON_ERROR = 3
OK_EXIT_CODES = frozenset({0, EXIT_CODE_ON_ERROR})
# Added to the run time for start-up, worker connection and shutdown before the hard kill.
STARTUP_GRACE = 20.0
PHASE_MARGIN = 2.0


@dataclass(frozen=True)
class LocustConfig:
    host: str
    users: int = 10
    spawn_rate: float = 10.0
    run_time: float = 30.0  # seconds; with phases: their total
    locustfiles: tuple[Path, ...] = (DEFAULT_LOCUSTFILE,)
    workers: int = 0  # >0: master + this many worker processes
    web_ui: bool = False  # web UI on loopback instead of --headless; bounded by max_duration
    max_duration: float = 600.0  # web UI runs: the process is killed after this long
    phases: tuple[Phase, ...] = ()  # adds locustfiles/shapes.py (PhaseShape)
    # The harness sets the user count during the run (``LocustRun.set_users``): adds
    # locustfiles/follow.py (FollowShape). For scenarios whose phases change the load.
    follow: bool = False
    user_classes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    think_time: float | None = None  # mean seconds between a user's tasks (school.py)
    fault_token: str | None = None  # lets the locustfile/shape switch faults on the target
    stop_timeout: float = 2.0
    html_report: bool = True
    loglevel: str = "INFO"
    allow_remote: bool = False
    extra_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "host", require_loopback(self.host, allow_remote=self.allow_remote)
        )
        if self.users < 0 or self.workers < 0:
            raise InputError("users and workers must be >= 0.")
        if self.follow and (self.phases or self.web_ui):
            raise InputError("follow mode is for headless runs without a phase plan.")
        for name in ("spawn_rate", "run_time", "max_duration"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"Locust {name} must be a positive number, got {value!r}.")
        if not (math.isfinite(self.stop_timeout) and self.stop_timeout >= 0):
            raise InputError(f"Locust stop_timeout must be >= 0, got {self.stop_timeout!r}.")
        for path in self.locustfiles:
            if not Path(path).is_file():
                raise InputError(f"Locustfile not found: {path}")

    @property
    def effective_run_time(self) -> float:
        # With phases the shape ends the run; --run-time is the backstop just after it.
        return total_duration(self.phases) + PHASE_MARGIN if self.phases else self.run_time

    @property
    def deadline(self) -> float:
        """Seconds after start at which every process of the run is killed."""
        if self.web_ui:
            return self.max_duration
        return math.ceil(self.effective_run_time + self.stop_timeout + STARTUP_GRACE)

    def files_arg(self) -> str:
        files = [str(Path(p).resolve()) for p in (*self.locustfiles, WATCH_FILE)]
        if self.phases:
            files.append(str(SHAPES_FILE.resolve()))
        if self.follow:
            files.append(str(FOLLOW_FILE.resolve()))
        return ",".join(files)


def _bounded(argv: list[str], deadline: float) -> list[str]:
    """Wrap in coreutils ``timeout`` (TERM at the deadline, KILL 5 s later) when available."""
    timeout = shutil.which("timeout")
    if timeout is None:
        return argv
    # --foreground: signals go to Locust alone, once (not twice through the group).
    return [timeout, "--foreground", "--kill-after=5", f"{math.ceil(deadline)}s", *argv]


def master_command(
    cfg: LocustConfig, out_dir: Path, *, web_port: int | None = None, master_port: int | None = None
) -> list[str]:
    """The Locust process that runs users (or, with workers, the master that leads them)."""
    prefix = str(out_dir / STATS_PREFIX)
    argv = [sys.executable, "-m", "locust", "-f", cfg.files_arg(), "--host", cfg.host]
    argv += ["--csv", prefix, "--csv-full-history", "--json-file", prefix]
    argv += ["--exit-code-on-error", str(EXIT_CODE_ON_ERROR), "--loglevel", cfg.loglevel]
    argv += ["--stop-timeout", f"{cfg.stop_timeout:g}"]
    if cfg.html_report:
        argv += ["--html", str(out_dir / "report.html")]
    if cfg.web_ui:
        if web_port is None:
            raise ValueError("web_ui needs a web_port")
        argv += ["--web-host", "127.0.0.1", "--web-port", str(web_port)]
        argv += ["-u", str(cfg.users), "-r", f"{cfg.spawn_rate:g}"]  # form defaults
    else:
        argv += ["--headless", "--only-summary"]
        if not cfg.phases and not cfg.follow:  # a shape sets users and spawn rate
            argv += ["-u", str(cfg.users), "-r", f"{cfg.spawn_rate:g}"]
        argv += ["--run-time", f"{math.ceil(cfg.effective_run_time)}s"]
    if cfg.workers:
        if master_port is None:
            raise ValueError("workers need a master_port")
        argv += ["--master", "--master-bind-host", "127.0.0.1"]
        argv += ["--master-bind-port", str(master_port)]
        if not cfg.web_ui:
            argv += ["--expect-workers", str(cfg.workers), "--expect-workers-max-wait", "15"]
    if cfg.think_time is not None:
        argv += ["--think-time", f"{cfg.think_time:g}"]
    for tag in cfg.tags:
        argv += ["--tags", tag]
    argv += list(cfg.extra_args)
    argv += list(cfg.user_classes)
    return _bounded(argv, cfg.deadline)


def worker_command(cfg: LocustConfig, master_port: int) -> list[str]:
    argv = [sys.executable, "-m", "locust", "-f", cfg.files_arg(), "--worker"]
    argv += ["--master-host", "127.0.0.1", "--master-port", str(master_port)]
    argv += ["--loglevel", cfg.loglevel]
    return _bounded(argv, cfg.deadline)
