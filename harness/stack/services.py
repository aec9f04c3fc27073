"""The five services of a stack, whichever backend runs them: their names, how messages
name them, and the target's environment (dbinit, the worker and the API)."""

from __future__ import annotations

import os
from pathlib import Path

from harness.stack.spec import StackSpec

# Start order matters only for Alertmanager before Prometheus (the notifier does not retry).
SERVICE_NAMES = ("redis", "worker", "api", "alertmanager", "prometheus")
DISPLAY = {
    "redis": "Redis",
    "worker": "Target worker",
    "api": "Target API",
    "alertmanager": "Alertmanager",
    "prometheus": "Prometheus",
    "postgres": "PostgreSQL",  # with --database postgres, started before dbinit
}


def target_env(
    spec: StackSpec,
    *,
    database: Path | str,
    redis: str,
    worker: str,
    monitoring: dict[str, str] | None = None,
    logs: dict[str, Path] | None = None,
) -> dict[str, str]:
    """TARGET_* settings of dbinit, the worker and the API, spec.target_env on top.

    ``database``: the SQLite file, or a database URL (the stack's PostgreSQL);
    ``redis``, ``worker``: host:port as the target reaches them; ``monitoring``:
    host:port of "prometheus" and "alertmanager", ``logs``: the target's JSON log
    files by service (both for the admin page, /admin/monitoring).
    """
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    env = {
        "TARGET_DATABASE_URL": url,
        "TARGET_REDIS_URL": f"redis://{redis}/0",
        "TARGET_FAULT_TOKEN": spec.fault_token,
        "TARGET_TIME_SCALE": repr(float(spec.time_scale)),
        "TARGET_QUEUE_COLLECT_INTERVAL": repr(float(spec.intervals.queue_collect)),
        "TARGET_WORKER_CONTROL_URL": f"http://{worker}",
        "PYTHONUNBUFFERED": "1",
    }
    for name, address in (monitoring or {}).items():
        env[f"TARGET_{name.upper()}_URL"] = f"http://{address}"
    if logs:
        env["TARGET_LOG_FILES"] = os.pathsep.join(f"{k}={v}" for k, v in logs.items())
    env.update(spec.target_env)
    return env
