"""Process plumbing shared by the API and the worker: metrics registry, logging, the
core both build (metrics, faults, database), /metrics and /health, server, shutdown."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Collection, Generator
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from harness.target.db import make_engine, make_sessionmaker, ping
from harness.target.fault_state import Faults
from harness.target.health import add_probe_routes, health_response
from harness.target.logs import configure_logging
from harness.target.metrics import TargetMetrics
from harness.target.settings import Settings


def parse_address(
    prog: str, doc: str | None, default_port: int, argv: list[str] | None
) -> tuple[str, int]:
    """The process's command line: ``--host`` (127.0.0.1) and ``--port``."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    args = parser.parse_args(argv)
    return str(args.host), int(args.port)


def bootstrap(settings: Settings) -> CollectorRegistry:
    """Process start: JSON logs, no ``_created`` series (they double the exposition),
    and a registry with the process collector (CPU, memory of this process)."""
    disable_created_metrics()
    configure_logging(settings.service, settings.environment, settings.log_level)
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    return registry


def metrics_response(registry: CollectorRegistry) -> Response:
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@dataclass(frozen=True)
class Core:
    """What each process builds first: its metrics, its faults, its instrumented database."""

    registry: CollectorRegistry
    metrics: TargetMetrics
    faults: Faults
    engine: Engine
    sessions: sessionmaker[Session]


def build_core(settings: Settings, registry: CollectorRegistry) -> Core:
    """The metric families on ``registry``, the fault state, and the database engine
    (instrumented unless ``settings.metrics_enabled`` is off). Connects to nothing yet."""
    metrics = TargetMetrics(registry)
    faults = Faults(settings.fault_seed)
    engine = make_engine(
        settings.database_url,
        metrics=metrics,
        faults=faults,
        instrument=settings.metrics_enabled,
    )
    return Core(registry, metrics, faults, engine, make_sessionmaker(engine))


def add_ops_routes(
    app: FastAPI,
    core: Core,
    *,
    redis: Callable[[], Awaitable[Any]],
    eventbus: Callable[[], Awaitable[Any]],
    extra: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """GET /metrics (this process's registry) and GET /health (see health.py), with
    ``extra()`` merged into the /health body."""
    started = time.monotonic()

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        return metrics_response(core.registry)

    @app.get("/health")
    async def health() -> Response:
        return await health_response(
            started,
            database=lambda: run_in_threadpool(ping, core.engine),
            redis=redis,
            eventbus=eventbus,
            extra=extra() if extra is not None else None,
        )

    add_probe_routes(app, started, database=lambda: run_in_threadpool(ping, core.engine),
                     redis=redis)


async def stop_tasks(tasks: Collection[asyncio.Task[None]], timeout: float) -> None:
    """Give ``tasks`` (already told to stop) ``timeout`` seconds, then cancel what still runs."""
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()


class Server(uvicorn.Server):
    """uvicorn's server, but SIGTERM/SIGINT end it with exit status 0.

    uvicorn re-raises a captured signal after a graceful shutdown, which ends the
    process with a signal status; a clean exit is what supervisors and tests expect.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _on_signal(self) -> None:
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True


def make_server(app: object, host: str, port: int, log_level: str) -> Server:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        workers=1,
        access_log=False,
        log_config=None,
        log_level=log_level.lower(),
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return Server(config)
