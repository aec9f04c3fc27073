"""JSON logs, one object per line on stderr, with the spec's request context.

Fields: timestamp, level, message, service, environment, and inside a request
requestId, userId, tenantId, method, path (spec: Log Aggregation > Contextual Logging).
Extra fields come from ``logger.info("...", extra={"fields": {...}})``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import Any

# The request context, set by the middleware: (requestId, userId, tenantId, method, path).
request_context: ContextVar[tuple[str, str | None, str | None, str, str] | None] = ContextVar(
    "request_context", default=None
)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str, environment: str) -> None:
        super().__init__()
        self.service = service
        self.environment = environment

    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        out: dict[str, Any] = {
            "timestamp": f"{ts}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            # uvicorn logs everything as "uvicorn.error": a line that is not an error must
            # not match the spec's LogQL `|= "error"`.
            "logger": "uvicorn" if record.name == "uvicorn.error" else record.name,
            "service": self.service,
            "environment": self.environment,
        }
        ctx = request_context.get()
        if ctx is not None:
            out["requestId"], out["userId"], out["tenantId"], out["method"], out["path"] = ctx
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["error"] = str(record.exc_info[1])
            out["stack"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(service: str, environment: str, level: str) -> None:
    """Send every logger (ours, uvicorn's, bullmq's) through one JSON handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service, environment))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
