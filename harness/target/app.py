"""The API application (FastAPI): domain routes, /metrics, /health, /faults.

``create_app(settings, registry=...)`` builds everything without connecting to
anything, so tests can build it against a Redis that is not there. Connections
happen on first use; the periodic collector starts with the app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from harness.target.collector import Collector
from harness.target.control import FaultControl, add_fault_routes
from harness.target.db import make_engine, make_sessionmaker, ping
from harness.target.eventbus import HANDLER_GROUPS, EventBus
from harness.target.faults import Faults
from harness.target.health import health_response
from harness.target.metrics import TargetMetrics
from harness.target.middleware import MetricsMiddleware, note_error
from harness.target.queues import QueueProducer
from harness.target.redisconn import make_redis
from harness.target.repo import NotFound
from harness.target.routes import add_domain_routes
from harness.target.runtime import metrics_response
from harness.target.settings import Settings

log = logging.getLogger("harness.target.api")
STOP_TIMEOUT = 5.0  # seconds for the collector to finish its round at shutdown


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> FastAPI:
    registry = registry if registry is not None else CollectorRegistry()
    metrics = TargetMetrics(registry)
    faults = Faults(settings.fault_seed)
    engine = make_engine(
        settings.database_url,
        metrics=metrics,
        faults=faults,
        instrument=settings.metrics_enabled,
    )
    sessions = make_sessionmaker(engine)
    redis = make_redis(settings.redis_url)
    bus = EventBus(redis, metrics, faults)
    producer = QueueProducer(redis)
    http = httpx.AsyncClient()
    control = FaultControl(
        faults, forward_url=settings.worker_control_url, http=http, token=settings.fault_token
    )
    collector = Collector(
        metrics, producer, bus, sessions, HANDLER_GROUPS, settings.queue_collect_interval
    )
    started = time.monotonic()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(collector.run(stop))
        log.info("api started", extra={"fields": {"database": engine.url.render_as_string()}})
        try:
            yield
        finally:
            control.stop_floods()
            stop.set()
            _done, pending = await asyncio.wait({task}, timeout=STOP_TIMEOUT)
            for t in pending:
                t.cancel()
            await http.aclose()
            await redis.aclose()
            engine.dispose()
            log.info("api stopped")

    app = FastAPI(title=f"{settings.service} (alert-harness target)", lifespan=lifespan)
    app.state.metrics = metrics
    app.state.faults = faults
    add_domain_routes(app, sessions, bus, producer, metrics)
    add_fault_routes(app, control, producer, bus)

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return metrics_response(registry)

    @app.get("/health")
    async def health() -> Response:
        return await health_response(
            started,
            database=lambda: run_in_threadpool(ping, engine),
            redis=redis.ping,
            eventbus=bus.check,
        )

    @app.exception_handler(NotFound)
    async def not_found(_r: Request, exc: NotFound) -> Response:
        return JSONResponse({"error": str(exc)}, 404)

    @app.exception_handler(OperationalError)
    async def db_unavailable(request: Request, exc: OperationalError) -> Response:
        note_error(request.scope, f"database: {exc.orig}")
        return JSONResponse({"error": "database unavailable"}, 503)

    @app.exception_handler(SQLAlchemyError)
    async def db_error(request: Request, exc: SQLAlchemyError) -> Response:
        note_error(request.scope, f"database: {exc}")
        return JSONResponse({"error": "database error"}, 500)

    # Redis errors (and timeouts) in a request: 503, the dependency is away.
    for exc_type in (RedisError, ConnectionError, TimeoutError):
        app.add_exception_handler(exc_type, _redis_unavailable)

    if settings.metrics_enabled:
        app.add_middleware(MetricsMiddleware, metrics=metrics, faults=faults)
    return app


async def _redis_unavailable(request: Request, exc: Exception) -> Response:
    note_error(request.scope, f"redis: {exc or type(exc).__name__}")
    return JSONResponse({"error": "redis unavailable"}, 503)
