"""What a stack is asked to run, and what it hands back.

Both backends (local processes, testcontainers) take a ``StackSpec`` and return
``Endpoints``. Rules and Alertmanager configuration arrive already prepared (scaled
for the time scale, receivers pointed at the capture receiver): a backend only
writes them into its run directory and starts the programs.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

# In ``StackSpec.alertmanager_yaml``: replaced by the capture receiver's base URL.
from harness.receivers.capture import RECEIVER_URL_TOKEN

__all__ = ["RECEIVER_URL_TOKEN", "Endpoints", "Intervals", "StackSpec", "new_fault_token"]
FAULT_TOKEN_ENV = "HARNESS_FAULT_TOKEN"


def new_fault_token() -> str:
    """A fresh random token, or the one HARNESS_FAULT_TOKEN sets."""
    return os.environ.get(FAULT_TOKEN_ENV) or secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Intervals:
    """The stack's real timing, in seconds. Verdict windows are computed from these."""

    scrape: float = 1.0  # S
    evaluation: float = 1.0  # E (global; a rule group's own `interval:` overrides it)
    resend_delay: float = 1.0  # R, Prometheus --rules.alert.resend-delay
    queue_collect: float = 0.5  # the target's periodic queue-gauge collection (spec: 30 s / k)


@dataclass(frozen=True)
class StackSpec:
    """Everything a backend needs to bring a stack up."""

    # Prometheus rule files, already rewritten for the time scale: (file name, YAML text).
    rule_files: tuple[tuple[str, str], ...] = ()
    # Alertmanager configuration, already rendered (every receiver points at the capture
    # receiver; RECEIVER_URL_TOKEN stands for its base URL). None: a minimal config with
    # one webhook receiver at the capture receiver.
    alertmanager_yaml: str | None = None
    intervals: Intervals = field(default_factory=Intervals)
    time_scale: float = 1.0
    # Target settings passed to the API and the worker as TARGET_* environment variables.
    target_env: dict[str, str] = field(default_factory=dict)
    # Guards fault injection, the stack control and the inbox: random per run (printed by
    # `harness up`, given to Locust and the tests); HARNESS_FAULT_TOKEN overrides it.
    fault_token: str = field(default_factory=new_fault_token)
    # Where the run directory goes; None: under harness.paths.STATE_DIR.
    state_dir: Path | None = None
    run_label: str = "run"
    # A fixed port for the API (`harness up --api-port`); None: a free one. Busy: StackError.
    api_port: int | None = None
    # Keep the run directory (configs, logs, data) after the stack stops; it is removed
    # otherwise, and a later run never sweeps a kept one.
    keep_run_dir: bool = False
    # The target's database: "sqlite" (a file in the run directory) or "postgres" (a
    # PostgreSQL of the stack's own, see stack/postgres.py).
    database: str = "sqlite"


# Same shape as rules/model.py's RuleGroup (a frozen dataclass of plain fields), nothing
# shared: duplicates' pair checked and left.
@dataclass(frozen=True)
class Endpoints:
    """URLs of a running stack (all on 127.0.0.1)."""

    api: str
    worker_metrics: str
    prometheus: str
    alertmanager: str
    receiver: str
    redis: str
    run_dir: Path
    database: str = ""  # the target database's SQLAlchemy URL, as the harness reaches it

    def describe(self) -> list[tuple[str, str]]:
        return [
            ("API", self.api),
            ("Worker metrics", self.worker_metrics),
            ("Prometheus", self.prometheus),
            ("Alertmanager", self.alertmanager),
            ("Receiver inbox", self.receiver.rstrip("/") + "/inbox"),
            ("Redis", self.redis),
            ("Run directory", str(self.run_dir)),
        ]
