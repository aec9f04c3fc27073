"""Target settings: environment variables with the ``TARGET_`` prefix.

Read once at process start (``Settings()`` in a ``main``/factory), never at import.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from harness.paths import PROJECT_DIR, STATE_DIR

API_SERVICE = "skillcore-api"
WORKER_SERVICE = "skillcore-worker"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TARGET_", extra="ignore")

    database_url: str = f"sqlite:///{STATE_DIR / 'target.db'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Token for the fault-control endpoints; empty disables them (every call gets 401).
    fault_token: str = ""
    # Production durations of the target's own periodic work are divided by this.
    time_scale: float = Field(default=1.0, gt=0)
    # Seconds between queue/EventBus/business gauge collections (spec: 30 s; harness: 30/k).
    queue_collect_interval: float = Field(default=30.0, gt=0)
    # Worker control base URL (http://127.0.0.1:P); worker-side faults are forwarded there.
    worker_control_url: str | None = None
    service: str = API_SERVICE
    environment: str = "test"
    log_level: str = "info"
    # EventBus: attempts before an entry is dead-lettered, and the production idle time
    # (seconds) after which a pending entry is re-delivered; the latter is divided by k.
    eventbus_max_attempts: int = Field(default=3, ge=1)
    eventbus_retry_idle: float = Field(default=30.0, gt=0)
    worker_concurrency: int = Field(default=10, ge=1)
    # Seed of the fault RNG (None: random); the same seed gives the same draws.
    fault_seed: int | None = None
    # Off: no HTTP middleware and no database hooks (the uninstrumented baseline for
    # throughput comparisons). The /metrics endpoint stays.
    metrics_enabled: bool = True
    # The System Admin page (/admin/monitoring): the stack's Prometheus and Alertmanager
    # (None: the page says "not configured"), the JSON log files it searches, given as
    # name=path pairs separated by the path separator (e.g. "api=/run/api.log:worker=..."),
    # the dashboards its PromQL is read from, and its refresh period in seconds.
    prometheus_url: str | None = None
    alertmanager_url: str | None = None
    log_files: str = ""
    dashboards_dir: str = str(PROJECT_DIR / "compose" / "grafana" / "dashboards" / "corrected")
    admin_refresh: float = Field(default=3.0, gt=0)

    @property
    def retry_idle_seconds(self) -> float:
        """EventBus re-delivery idle time at this time scale (at least 50 ms)."""
        return max(0.05, self.eventbus_retry_idle / self.time_scale)
