"""``FaultClient``: the harness's switch for the target's faults (``/faults``, token-protected).

Field names follow ``harness/target/fault_state.py`` (``FaultState``); ``set()`` sends a partial
state that the target merges section by section and validates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from harness.load.errors import FaultControlError
from harness.load.hosts import require_loopback
from harness.scoped import Scoped

TOKEN_HEADER = "X-Fault-Token"


class FaultClient(Scoped):
    """``get()``, ``set(partial)``, ``reset()``, ``backlog()``, ``poison()``, ``applied()``."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        allow_remote: bool = False,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_url = require_loopback(api_url, allow_remote=allow_remote, what="target")
        self._client = httpx.Client(
            base_url=self.api_url,
            headers={TOKEN_HEADER: token},
            timeout=timeout,
            transport=transport,
        )

    def get(self) -> dict[str, Any]:
        return self._call("GET", "/faults")

    def set(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """Merge a partial state, e.g. ``{"errors": {"ratio": 0.3}}``; returns the full one."""
        return self._call("PUT", "/faults", json=dict(state))

    def reset(self) -> None:
        """Every fault off (and any poison flood in progress stopped)."""
        self._call("DELETE", "/faults")

    def backlog(self, queue: str, jobs: int, *, job_type: str | None = None) -> dict[str, Any]:
        """Enqueue ``jobs`` jobs on a BullMQ queue at once (a queue backlog fault).

        ``job_type`` None: the queue's main job type (the target picks it).
        """
        body: dict[str, Any] = {"queue": queue, "jobs": jobs}
        if job_type is not None:
            body["job_type"] = job_type
        return self._call("POST", "/faults/backlog", json=body)

    def poison(
        self,
        events: int,
        *,
        event_type: str = "GradePosted",
        rate: float | None = None,
        tenant_id: str | None = None,
    ) -> dict[str, Any]:
        """Publish ``events`` poisoned EventBus events (a DLQ flood): all at once, or at
        ``rate`` per second in the background (stopped by ``reset()``)."""
        body: dict[str, Any] = {"events": events, "event_type": event_type}
        if rate is not None:
            body["rate"] = rate
        if tenant_id is not None:
            body["tenant_id"] = tenant_id
        return self._call("POST", "/faults/poison", json=body)

    @contextmanager
    def applied(self, state: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Faults on for the ``with`` body, reset on every way out of it."""
        self.reset()
        try:
            yield self.set(state)
        finally:
            self.reset()

    def _call(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        where = f"{self.api_url}{path}"
        try:
            response = self._client.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise FaultControlError(
                f"The target's fault control at {where} did not answer: {exc or type(exc).__name__}"
            ) from None
        status = response.status_code
        if status == 401:
            raise FaultControlError(
                f"The target refused the fault token (401) for {method} {where}.",
                status=status,
                hint="use the token the target was started with (TARGET_FAULT_TOKEN); "
                "an empty TARGET_FAULT_TOKEN disables fault control",
            )
        if status == 404:
            raise FaultControlError(
                f"No fault control at {where} (404): is this the harness target?", status=status
            )
        if status in (400, 422):
            raise FaultControlError(
                f"The target rejected the fault state sent to {where} ({status}): "
                f"{_detail(response)}",
                status=status,
            )
        if status >= 400:
            raise FaultControlError(
                f"{method} {where} failed ({status}): {response.text[:300]}", status=status
            )
        body = response.json() if response.content else {}
        return body if isinstance(body, dict) else {"result": body}

    def close(self) -> None:
        self._client.close()

    def _leave(self) -> None:
        self.close()


def _detail(response: httpx.Response) -> str:
    """FastAPI/pydantic validation errors as 'errors.ratio: must be <= 1; ...'."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:300]
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", ()) if x != "body")
                parts.append(f"{loc}: {item.get('msg', item)}" if loc else str(item.get("msg")))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)[:300]
