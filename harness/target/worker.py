"""``python -m harness.target.worker --host 127.0.0.1 --port P``: the worker process.

Consumes the BullMQ queues and the EventBus streams, and serves on its port:
GET /metrics, GET /health (ready when 200), and the token-protected /faults.
SIGTERM/SIGINT: stop consuming, close the BullMQ workers, exit status 0.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from harness.target.control import FaultControl, add_fault_routes
from harness.target.eventbus import HANDLER_GROUPS, EventBus, EventConsumer
from harness.target.fault_state import BACKLOG_JOB_TYPES
from harness.target.handlers import WorkerDomain
from harness.target.metrics import TargetMetrics
from harness.target.queues import NOTIFICATIONS, REPORTS, JobRunner, QueueProducer
from harness.target.redisconn import make_redis
from harness.target.runtime import (
    Core,
    add_ops_routes,
    bootstrap,
    build_core,
    make_server,
    parse_address,
    stop_tasks,
)
from harness.target.settings import API_SERVICE, WORKER_SERVICE, Settings

log = logging.getLogger("harness.target.worker")
STOP_TIMEOUT = 3.0


def init_worker_series(metrics: TargetMetrics) -> None:
    """Expose the worker's counters at 0 for every known label set from the start.

    The spec's instrumentation creates a series on its first increment, so a counter
    such as eventbus_dlq_total first appears already at N: `increase()` has no earlier
    sample and reads 0, and a burst into the DLQ can never fire DLQGrowing. Prometheus's
    own guidance is to initialise known label values; the harness's target does.
    """
    for event_type, handler in HANDLER_GROUPS:
        metrics.eventbus_dlq.labels(event_type)
        for status in ("success", "failed"):
            metrics.eventbus_consumed.labels(event_type, handler, status)
    for queue, job_types in BACKLOG_JOB_TYPES.items():
        for job_type in job_types:
            for status in ("completed", "failed"):
                metrics.bullmq_jobs.labels(queue, job_type, status)
            metrics.bullmq_queue_failed.labels(queue, job_type)


@dataclass(frozen=True)
class WorkerConsumers:
    """The worker's consumers: BullMQ jobs on one Redis connection, EventBus streams on another."""

    jobs_redis: Redis
    bus_redis: Redis
    bus: EventBus
    runner: JobRunner
    consumers: list[EventConsumer]


def build_consumers(settings: Settings, core: Core) -> WorkerConsumers:
    # BullMQ blocks up to its drain delay on a connection; the socket timeout must exceed it.
    jobs_redis = make_redis(settings.redis_url, socket_timeout=15.0, retries=2)
    bus_redis = make_redis(settings.redis_url, socket_timeout=5.0, retries=2)
    bus = EventBus(bus_redis, core.metrics, core.faults)
    domain = WorkerDomain(core.sessions, QueueProducer(bus_redis), core.metrics, core.faults)
    runner = JobRunner(
        jobs_redis,
        core.metrics,
        core.faults,
        {NOTIFICATIONS: domain.deliver_notification, REPORTS: domain.recompute_report},
        concurrency=settings.worker_concurrency,
    )
    consumers = [
        EventConsumer(
            bus_redis,
            sub,
            core.metrics,
            core.faults,
            max_attempts=settings.eventbus_max_attempts,
            retry_idle=settings.retry_idle_seconds,
        )
        for sub in domain.subscriptions()
    ]
    return WorkerConsumers(jobs_redis, bus_redis, bus, runner, consumers)


def control_app(settings: Settings, core: Core, work: WorkerConsumers) -> FastAPI:
    """The worker's port: /faults, /metrics and /health (with the worker's mode and jobs)."""
    app = FastAPI(title=f"{settings.service} control", openapi_url=None)
    add_fault_routes(app, FaultControl(core.faults, token=settings.fault_token))

    def worker_state() -> dict[str, Any]:
        return {"worker": {"mode": core.faults.state.worker.mode, "jobs": work.runner.running}}

    add_ops_routes(
        app, core, redis=work.bus_redis.ping, eventbus=work.bus.check, extra=worker_state
    )
    return app


async def serve_worker(
    settings: Settings, registry: CollectorRegistry, host: str, port: int
) -> None:
    core = build_core(settings, registry)
    init_worker_series(core.metrics)
    work = build_consumers(settings, core)
    server = make_server(control_app(settings, core, work), host, port, settings.log_level)
    stop = asyncio.Event()
    work.runner.start()
    tasks = [asyncio.create_task(c.run(stop)) for c in work.consumers]
    log.info(
        "worker started",
        extra={
            "fields": {
                "queues": [NOTIFICATIONS, REPORTS],
                "handlers": [c.group for c in work.consumers],
                "retryIdleSeconds": settings.retry_idle_seconds,
            }
        },
    )
    try:
        await server.serve()
    finally:
        stop.set()
        await work.runner.close()
        await stop_tasks(tasks, STOP_TIMEOUT)
        await asyncio.gather(*tasks, return_exceptions=True)
        await work.bus_redis.aclose()
        await work.jobs_redis.aclose()
        core.engine.dispose()
        log.info("worker stopped")


def main(argv: list[str] | None = None) -> int:
    host, port = parse_address("python -m harness.target.worker", __doc__, 8001, argv)
    settings = Settings()
    if settings.service == API_SERVICE and "service" not in settings.model_fields_set:
        settings = settings.model_copy(update={"service": WORKER_SERVICE})
    registry = bootstrap(settings)
    asyncio.run(serve_worker(settings, registry, host, port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
