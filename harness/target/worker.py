"""``python -m harness.target.worker --host 127.0.0.1 --port P``: the worker process.

Consumes the BullMQ queues and the EventBus streams, and serves on its port:
GET /metrics, GET /health (ready when 200), and the token-protected /faults.
SIGTERM/SIGINT: stop consuming, close the BullMQ workers, exit status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from harness.target.control import FaultControl, add_fault_routes
from harness.target.db import make_engine, make_sessionmaker, ping
from harness.target.eventbus import HANDLER_GROUPS, EventBus, EventConsumer
from harness.target.faults import BACKLOG_JOB_TYPES, Faults
from harness.target.handlers import WorkerDomain
from harness.target.health import health_response
from harness.target.metrics import TargetMetrics
from harness.target.queues import NOTIFICATIONS, REPORTS, JobRunner, QueueProducer
from harness.target.redisconn import make_redis
from harness.target.runtime import bootstrap, make_server, metrics_response
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


async def serve_worker(
    settings: Settings, registry: CollectorRegistry, host: str, port: int
) -> None:
    metrics = TargetMetrics(registry)
    init_worker_series(metrics)
    faults = Faults(settings.fault_seed)
    engine = make_engine(
        settings.database_url,
        metrics=metrics,
        faults=faults,
        instrument=settings.metrics_enabled,
    )
    sessions = make_sessionmaker(engine)
    # BullMQ blocks up to its drain delay on a connection; the socket timeout must exceed it.
    jobs_redis = make_redis(settings.redis_url, socket_timeout=15.0, retries=2)
    bus_redis = make_redis(settings.redis_url, socket_timeout=5.0, retries=2)
    bus = EventBus(bus_redis, metrics, faults)
    domain = WorkerDomain(sessions, QueueProducer(bus_redis), metrics, faults)
    runner = JobRunner(
        jobs_redis,
        metrics,
        faults,
        {NOTIFICATIONS: domain.deliver_notification, REPORTS: domain.recompute_report},
        concurrency=settings.worker_concurrency,
    )
    consumers = [
        EventConsumer(
            bus_redis,
            sub,
            metrics,
            faults,
            max_attempts=settings.eventbus_max_attempts,
            retry_idle=settings.retry_idle_seconds,
        )
        for sub in domain.subscriptions()
    ]
    started = time.monotonic()

    app = FastAPI(title=f"{settings.service} control", openapi_url=None)
    add_fault_routes(app, FaultControl(faults, token=settings.fault_token))

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        return metrics_response(registry)

    @app.get("/health")
    async def health() -> Response:
        return await health_response(
            started,
            database=lambda: run_in_threadpool(ping, engine),
            redis=bus_redis.ping,
            eventbus=bus.check,
            extra={"worker": {"mode": faults.state.worker.mode, "jobs": runner.running}},
        )

    server = make_server(app, host, port, settings.log_level)
    stop = asyncio.Event()
    runner.start()
    tasks = [asyncio.create_task(c.run(stop)) for c in consumers]
    log.info(
        "worker started",
        extra={
            "fields": {
                "queues": [NOTIFICATIONS, REPORTS],
                "handlers": [c.group for c in consumers],
                "retryIdleSeconds": settings.retry_idle_seconds,
            }
        },
    )
    try:
        await server.serve()
    finally:
        stop.set()
        await runner.close()
        _done, pending = await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
        for t in pending:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await bus_redis.aclose()
        await jobs_redis.aclose()
        engine.dispose()
        log.info("worker stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.target.worker", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    settings = Settings()
    if settings.service == API_SERVICE and "service" not in settings.model_fields_set:
        settings = settings.model_copy(update={"service": WORKER_SERVICE})
    registry = bootstrap(settings)
    asyncio.run(serve_worker(settings, registry, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
