"""Process plumbing shared by the API and the worker: metrics registry, logging, server."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Generator

import uvicorn
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from starlette.responses import Response

from harness.target.logs import configure_logging
from harness.target.settings import Settings


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
