"""The API application (FastAPI): domain routes, /metrics, /health, /faults.

``create_app(settings, registry=...)`` builds everything without connecting to
anything, so tests can build it against a Redis that is not there. Connections
happen on first use; the periodic collector starts with the app's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.responses import JSONResponse, Response

from harness.target.admin import add_admin_routes
from harness.target.collector import Collector
from harness.target.control import FaultControl, add_fault_routes
from harness.target.eventbus import HANDLER_GROUPS, EventBus
from harness.target.middleware import MetricsMiddleware, note_error
from harness.target.queues import QueueProducer
from harness.target.redisconn import make_redis
from harness.target.repo import NotFound
from harness.target.routes import add_domain_routes
from harness.target.runtime import add_ops_routes, build_core, stop_tasks
from harness.target.settings import Settings

log = logging.getLogger("harness.target.api")
STOP_TIMEOUT = 5.0  # seconds for the collector to finish its round at shutdown


def create_app(settings: Settings, registry: CollectorRegistry | None = None) -> FastAPI:
    core = build_core(settings, registry if registry is not None else CollectorRegistry())
    redis = make_redis(settings.redis_url)
    bus = EventBus(redis, core.metrics, core.faults)
    producer = QueueProducer(redis)
    http = httpx.AsyncClient()
    control = FaultControl(
        core.faults, forward_url=settings.worker_control_url, http=http, token=settings.fault_token
    )
    collector = Collector(
        core.metrics, producer, bus, core.sessions, HANDLER_GROUPS, settings.queue_collect_interval
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(collector.run(stop))
        database = core.engine.url.render_as_string()
        log.info("api started", extra={"fields": {"database": database}})
        try:
            yield
        finally:
            control.stop_floods()
            stop.set()
            await stop_tasks([task], STOP_TIMEOUT)
            await http.aclose()
            await redis.aclose()
            core.engine.dispose()
            log.info("api stopped")

    app = FastAPI(title=f"{settings.service} (alert-harness target)", lifespan=lifespan)
    app.state.metrics = core.metrics
    app.state.faults = core.faults
    add_domain_routes(app, core.sessions, bus, producer, core.metrics)
    add_fault_routes(app, control, producer, bus)
    add_ops_routes(app, core, redis=redis.ping, eventbus=bus.check)
    add_admin_routes(app, settings, http)  # /admin/monitoring
    _add_error_handlers(app)
    if settings.metrics_enabled:
        app.add_middleware(MetricsMiddleware, metrics=core.metrics, faults=core.faults)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Missing rows: 404; the database or Redis away: 503; other database errors: 500."""

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


async def _redis_unavailable(request: Request, exc: Exception) -> Response:
    note_error(request.scope, f"redis: {exc or type(exc).__name__}")
    return JSONResponse({"error": "redis unavailable"}, 503)
